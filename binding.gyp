# Sentra's native addons, built by scripts/build-native.mjs during `npm install` / `npm ci` with
# npm's bundled node-gyp:
#   sentra_pcap  live capture through libpcap (native/*.c); built only when libpcap's headers
#                are installed, otherwise live capture reports what to install
#   sentra_scan  the scanner's connect and SYN scan engines (native/scan/*.c); Linux only
#   sentra_flow  the CIC CSV writer's numeric columns and the pcap -> CIC CSV capture engine
#                (native/flow/*.cc, C++17); optional, the flow engine falls back to its
#                JavaScript table and writer without it
#   sentra_ids   the IDS prefilter's literal matcher on Hyperscan (native/ids/*.c); built only
#                when libhyperscan's headers are installed, the JavaScript Aho-Corasick otherwise
{
  "variables": {
    "with_pcap%": "<!(node -p \"require('fs').existsSync('/usr/include/pcap/pcap.h') || require('fs').existsSync('/usr/local/include/pcap/pcap.h') ? 1 : 0\")",
    "with_hs%": "<!(node -p \"require('fs').existsSync('/usr/include/hs/hs.h') || require('fs').existsSync('/usr/local/include/hs/hs.h') ? 1 : 0\")"
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
    },
    {
      "target_name": "sentra_flow",
      "sources": ["native/flow/cic_row.cc", "native/flow/engine.cc"],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++1y"],
      "cflags_cc": ["-std=gnu++17", "-O2", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra"]
    },
    {
      "target_name": "sentra_ids",
      "conditions": [
        ["with_hs==1", {
          "sources": ["native/ids/literal_match.c"],
          "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
          "libraries": ["-lhs"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
