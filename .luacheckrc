std = "lua54"
max_line_length = 110
files["spec/"] = { std = "+busted", max_line_length = 130 } -- case tables read best one per line
exclude_files = { "build/" }
