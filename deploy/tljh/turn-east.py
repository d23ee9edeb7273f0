# The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/turn-east.py, then
# `sudo tljh-config reload hub`. deploy/README.md ("The Littlest JupyterHub") has the whole recipe.
#
# The course and its package are installed once, in /opt/turn-east, into TLJH's user environment
# (`sudo -E pip install -e "/opt/turn-east[hub]"`). Each student's server starts through
# start-singleuser.sh, which copies the exercises the student does not have yet into ~/my-work.
c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

c.Spawner.cmd = ["/opt/turn-east/deploy/start-singleuser.sh"]
c.Spawner.default_url = "/lab"
# A class logging in at once on a small server: give a server time to start before giving up.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 180
