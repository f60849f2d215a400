/** The interfaces libpcap can capture on (pcap_findalldevs), with their addresses and state. */
import { ErrorCodes, SentraError } from '../errors.js';
import { loadPcapAddon } from './addon.js';
import { fromNativeError } from './native-errors.js';

/** One address of an interface. */
export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  netmask?: string;
  broadcast?: string;
  /** The other end of a point-to-point link. */
  destination?: string;
}

/** An interface as libpcap lists it. */
export interface CaptureDevice {
  /** Name to pass to `LiveCapture.open` (e.g. `eth0`, `any`, `nflog`). */
  name: string;
  /** libpcap's description ('' for most Linux interfaces). */
  description: string;
  loopback: boolean;
  up: boolean;
  running: boolean;
  wireless: boolean;
  connection: 'unknown' | 'connected' | 'disconnected' | 'not-applicable';
  addresses: InterfaceAddress[];
}

// PCAP_IF_* flags from pcap/pcap.h
const IF_LOOPBACK = 0x1;
const IF_UP = 0x2;
const IF_RUNNING = 0x4;
const IF_WIRELESS = 0x8;
const IF_CONNECTION = 0x30;
const CONNECTION = ['unknown', 'connected', 'disconnected', 'not-applicable'] as const;

/**
 * Lists the capture interfaces of this machine, or of the network namespace `netns`.
 * @throws SentraError CAPTURE_UNAVAILABLE, NOT_FOUND (no such namespace), CAPTURE_OPEN_FAILED.
 */
export function listInterfaces(options: { netns?: string } = {}): CaptureDevice[] {
  const { netns } = options;
  if (netns !== undefined && (typeof netns !== 'string' || netns === '' || netns.includes('\0'))) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'netns must be a non-empty name');
  }
  const addon = loadPcapAddon();
  let devs: ReturnType<typeof addon.findAllDevs>;
  try {
    devs = addon.findAllDevs(netns);
  } catch (e) {
    throw fromNativeError(e, { op: 'listInterfaces', netns });
  }
  return devs.map((d) => ({
    name: d.name,
    description: d.description,
    loopback: (d.flags & IF_LOOPBACK) !== 0,
    up: (d.flags & IF_UP) !== 0,
    running: (d.flags & IF_RUNNING) !== 0,
    wireless: (d.flags & IF_WIRELESS) !== 0,
    connection: CONNECTION[(d.flags & IF_CONNECTION) >>> 4],
    addresses: d.addresses.map((a) => {
      const out: InterfaceAddress = { family: a.family, address: a.addr };
      if (a.netmask) out.netmask = a.netmask;
      if (a.broadaddr) out.broadcast = a.broadaddr;
      if (a.dstaddr) out.destination = a.dstaddr;
      return out;
    }),
  }));
}
