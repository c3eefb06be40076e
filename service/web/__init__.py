"""The HTTP edge of Sammen: what every request and every response passes through,
whatever route it meets. headers (one header policy), limits (what a client may send,
how often), handlers (one error policy, by exception type), docs (the API docs and the
small files a browser asks for)."""
