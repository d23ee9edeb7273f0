"""pytest set-up for the whole repository (tests/ and nbval's runs of notebooks/, exercises/, solutions/).

nbval starts a kernel per notebook with jupyter_client's KernelManager; here it gets the course's
manager instead, whose kernels use IPC transport where the platform has it (turn_east.make.execute), so
notebooks tested in parallel cannot race for TCP ports.
"""


def pytest_configure(config):
    from nbval import kernel

    from turn_east.make.execute import BlockingCourseKernelManager

    kernel.KernelManager = BlockingCourseKernelManager
