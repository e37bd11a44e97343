-- Builds the image luksa/kubia, the book's kubia (Kubernetes in Action,
-- chapter 2), from busybox: kubia.sh, beside this script, is a tiny HTTP
-- server on port 8080 that logs "Kubia server starting..." and answers
-- every request with "You've hit <hostname>". The Kubernetes-in-Action
-- manifests here (kubia-manual.yaml...) run it unchanged.
--
-- The book's Dockerfile, for comparison:
--   FROM node:7
--   ADD app.js /app.js
--   ENTRYPOINT ["node", "app.js"]
--
-- Run it: minish image.lua (as root: the image store is the node's).

local img = image.build{
  name = "luksa/kubia",
  from = "busybox",
  files = {["/app/kubia.sh"] = "kubia.sh"},
  entrypoint = {"/app/kubia.sh"},
}
print(string.format("built image %s (%s)", img.name, img.id:sub(8, 19)))
return img
