# Sentra's native addons, built by scripts/build-native.mjs during `npm install` / `npm ci` with
# npm's bundled node-gyp:
#   sentra_pcap  live capture through libpcap (native/*.c); built only when libpcap's headers
#                are installed, otherwise live capture reports what to install
#   sentra_scan  the scanner's connect and SYN scan engines (native/scan/*.c); Linux only
{
  "variables": {
    "with_pcap%": "<!(node -p \"require('fs').existsSync('/usr/include/pcap/pcap.h') || require('fs').existsSync('/usr/local/include/pcap/pcap.h') ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "sentra_pcap",
      "conditions": [
        ["with_pcap==1", {
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
        }, {
          "type": "none"
        }]
      ]
    },
    {
      "target_name": "sentra_scan",
      "sources": ["native/scan/addon.c", "native/scan/background.c", "native/scan/connect_scan.c", "native/scan/syn_scan.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
