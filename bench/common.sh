# What the bench scripts share (sourced, not run): a free port on 127.0.0.1, and waiting for a
# server started on one to answer its health check.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for http://127.0.0.1:PORT/healthz.
wait_until_up() {
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not come up" >&2
  return 1
}
