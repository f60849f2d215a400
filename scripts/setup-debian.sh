#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Sentra development and tests: the system packages the
# code and its tests use (libpcap, nftables, the peer tools used as oracles and benchmarks), then
# the npm dependencies. Run as root from the project root. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no instead of blocking on a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
PACKAGES=(
  # build and runtime
  build-essential python3 libpcap-dev pkg-config
  # the IDS prefilter's literal matcher (optional addon native/ids)
  libhyperscan-dev
  # oracles for decoding, filters and flows
  tshark tcpdump wireshark-common argus-server argus-client tcpreplay
  # kernel plumbing used by firewall, qos and namespace tests
  iproute2 nftables iptables ipset iputils-ping ethtool
  # real servers and clients the tests run inside namespaces
  nginx-light openssh-server openssh-client sshpass dnsmasq-base redis-server haproxy tinyproxy vsftpd
  curl dnsutils netcat-openbsd socat openssl
  # attack tools and peers for scans and benchmarks
  nmap masscan hping3 wrk hyperfine
  # benchmarks: CPU time of peer tools
  time
  # terminal UI tests
  tmux
  # dashboard browser tests (Playwright drives Debian's chromium, headless)
  chromium
)
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
npm ci --no-fund --no-audit
