# Put on a Python driver's PYTHONPATH by the Kindling worker.
#
# spark-submit's PythonRunner starts the Python driver with its stderr merged into stdout, so a
# traceback or a print(..., file=sys.stderr) would land in the driver's stdout. This module runs
# when the interpreter starts and points file descriptor 2 at the attempt's stderr spool file
# (appending, as the JVM does), so stderr stays stderr.
import os as _os

_path = _os.environ.get("KINDLING_DRIVER_STDERR")
if _path:
    try:
        _fd = _os.open(_path, _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT, 0o644)
        _os.dup2(_fd, 2)
        _os.close(_fd)
    except OSError:
        pass
