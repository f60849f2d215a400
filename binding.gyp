# Sentra's libpcap addon (native/). Built by scripts/build-native.mjs during `npm install` /
# `npm ci` with npm's bundled node-gyp; skipped with a warning when libpcap's headers are missing.
{
  "targets": [
    {
      "target_name": "sentra_pcap",
      "sources": [
        "native/addon.c",
        "native/common.c",
        "native/netns.c",
        "native/devices.c",
        "native/capture.c",
        "native/capture_ops.c",
        "native/rawsock.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "libraries": ["-lpcap", "-lpthread"]
    }
  ]
}
