"""gunicorn's settings for the web processes: `gunicorn -c python:zizhu.ops.gunicorn_config
zizhu.wsgi --workers N …` (docs/operations.md; `manage.py serve`, scripts/stack.sh and
bench/load.py start it so).

Each worker serves two requests at once on two threads (`gthread`): while one waits on the
database, the other runs, and a client's connection stays open between its requests
(gunicorn's default `sync` worker closes it after each). On the deadline-day load of
bench/load.py (200 users, 2 workers, 2 cores shared with PostgreSQL and the client), two
threads a worker gave 146-148 requests/s at p95 468-482 ms against 128-138 requests/s at
p95 522-1,035 ms for sync workers; an hour later, alternated on a machine grown slower,
134 and 114 against 121 and 117. The client spent less CPU a request each time (no new
connection a request). Four and eight threads were no better (the GIL), nor were three or
five workers (docs/adr/0020-monthly-run-plan.md, "The web workers' threads"). Each thread
keeps a database connection of its own: workers × threads connections a host.
"""

worker_class = "gthread"
threads = 2
