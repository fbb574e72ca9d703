"""One warm Python for many jobs: the job host.

Every ``tailor run JOB`` is a new Python process, and before a job does any work it imports its
libraries: MLflow, xgboost and scikit-learn take 2-3 s, Great Expectations 3 s, pandas and SciPy
another second, 19 times per daily DAG run. The job host imports them once and then **forks** a
child per job, as Airflow's own workers and gunicorn's ``preload_app`` do. A child is a fresh
process in every way a job can tell: it gets the caller's argv, environment, working directory,
umask and stdin/stdout/stderr (the file descriptors themselves, passed over a Unix socket), it
imports Tailor's own modules from disk, runs the command, and exits through the interpreter's
normal shutdown; its exit status is the caller's.

- :mod:`tailor.jobhost.server`: the host (stdlib only until it preloads: it never imports
  Tailor's configuration, so nothing of one run's settings can leak into another).
- :mod:`tailor.jobhost.client`: what ``tailor run`` does when a host is up (signals forwarded,
  the job stopped if the caller dies); it runs the job itself when no host is up, or when the
  host was started with another environment.
- :mod:`tailor.jobhost.service`: ``tailor host start|stop|status`` for a project (the daily DAG
  runs them around each run, ``jobhost.per_run``).
- :mod:`tailor.jobhost.wire`: the few messages between them.
"""
