{
  "targets": [
    {
      "target_name": "sentra_scan",
      "sources": ["native/scan/addon.c", "native/scan/background.c", "native/scan/connect_scan.c", "native/scan/syn_scan.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
