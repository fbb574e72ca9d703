"""One Spark job per pipeline step. Each is thin glue: read tables → pure functions → write.

Run one with ``tailor run JOB --ds YYYY-MM-DD`` or ``spark-submit jobs/JOB.py --ds ...``.
"""
