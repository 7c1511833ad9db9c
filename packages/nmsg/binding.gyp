{
  "targets": [
    {
      "target_name": "zdeflate",
      "sources": ["native/zdeflate.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "libraries": ["-ldl"]
    }
  ]
}
