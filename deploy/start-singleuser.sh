#!/bin/sh
# A student's server starts here (Zero to JupyterHub `singleuser.cmd`, TLJH `c.Spawner.cmd`,
# benchmarks/bench_hub.py). First copy into ~/my-work the exercises the student does not have
# yet: a file already there is never touched, and nbgitpuller never looks outside ~/turn-east,
# so ~/my-work is the student's own. Then become the single-user server, with the hub's arguments.
if ! turn-east workspace --dest "$HOME/my-work" > /dev/null; then
    echo "start-singleuser: could not prepare $HOME/my-work; starting the server anyway" >&2
fi
exec jupyterhub-singleuser "$@"
