#!/bin/sh
# The server of the image luksa/kubia (Kubernetes in Action), for busybox:
# it says it starts, then answers every HTTP request on port 8080 with the
# name of the host it runs on (in a pod: the pod's name), as the book's
# app.js does. busybox's nc accepts the connections and runs this script
# again, with "handle", once per connection, the socket as its stdin and
# stdout. image.lua builds the image.
if [ "$1" != handle ]; then
  # The shell stays PID 1 of the container so that SIGTERM (pod deletion)
  # ends it at once: the kernel ignores signals a PID 1 has no handler for.
  trap 'exit 0' TERM INT
  nc -ll -p 8080 -e "$0" handle &
  # Say so once nc listens, so that whoever waits for the line can connect.
  for _ in $(seq 50); do
    netstat -ltn | grep -q ':8080 ' && break
    usleep 20000
  done
  echo "Kubia server starting..."
  wait
  exit 0
fi

# One connection: read the request line and the headers (up to the empty
# line; a header line ends in \r), log the request, answer, close.
read -r method path version
while read -r header && [ ${#header} -gt 1 ]; do :; done
echo "Received request for $path" >&2
body="You've hit $(hostname)"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
  $((${#body} + 1)) "$body"
