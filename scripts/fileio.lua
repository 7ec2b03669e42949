--- Whole files and directory listings for the scripts (make docs, make types, make structure).
-- Loaded with dofile("scripts/fileio.lua") from the repository's root, as scripts/api_names.lua
-- is: scripts/ is not on the module path.
local fileio = {}

--- The file's bytes; an error when it cannot be opened.
function fileio.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

--- Writes `s` to `path`, making its directory first.
function fileio.write(path, s)
  assert(os.execute("mkdir -p '" .. (path:match("^(.*)/") or ".") .. "'"))
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

--- File names under `dir` (recursively with `deep`), sorted; ls(1) is the only tool used.
function fileio.list(dir, deep)
  local p = assert(io.popen(("ls -1%s '%s' 2>/dev/null"):format(deep and "R" or "", dir)))
  local files, sub = {}, ""
  for line in p:lines() do
    local heading = line:match("^(.*):$")
    if deep and heading then
      sub = heading == dir and "" or heading:sub(#dir + 2) .. "/"
    elseif line ~= "" then
      files[#files + 1] = sub .. line
    end
  end
  p:close()
  table.sort(files)
  return files
end

return fileio
