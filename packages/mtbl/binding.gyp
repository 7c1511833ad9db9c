{
  "targets": [
    {
      "target_name": "zlib",
      "sources": ["native/zlib.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "libraries": ["-ldeflate"]
    }
  ]
}
