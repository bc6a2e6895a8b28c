"""The app's routes, one router per kind (FastAPI's "bigger applications" layout), assembled by server/app.py:
pages (HTML and /spec.js), sockets (/ws, /ws/race), api (CSV, saved states, training data), labs (the two small
labs), health (/healthz, and /debug/stats when asked for)."""
