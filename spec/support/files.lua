--- Whole files for the specs and their support code: read, write, a scratch directory.
local files = {}

--- The file's bytes. When it cannot be opened: `missing` if one is given (e.g. "" for a log
-- not written yet), else an error naming the path.
function files.read(path, missing)
  local f, err = io.open(path, "rb")
  if not f then
    if missing ~= nil then return missing end
    error("cannot read " .. err, 2)
  end
  local s = f:read("a")
  f:close()
  return s
end

function files.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

--- A new empty directory under the system's temporary one (the caller removes it).
function files.scratch_dir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  return dir
end

return files
