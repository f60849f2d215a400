/**
 * Rule variables ($HOME_NET, $HTTP_PORTS...): Suricata's defaults from its suricata.yaml,
 * overridable from a YAML config with the same `vars: address-groups / port-groups` layout.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, SentraError } from '../../errors.js';

/** Suricata's default address groups (suricata.yaml as shipped). */
export const DEFAULT_ADDRESS_GROUPS: Readonly<Record<string, string>> = {
  HOME_NET: '[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]',
  EXTERNAL_NET: '!$HOME_NET',
  HTTP_SERVERS: '$HOME_NET',
  SMTP_SERVERS: '$HOME_NET',
  SQL_SERVERS: '$HOME_NET',
  DNS_SERVERS: '$HOME_NET',
  TELNET_SERVERS: '$HOME_NET',
  AIM_SERVERS: '$EXTERNAL_NET',
  DC_SERVERS: '$HOME_NET',
  DNP3_SERVER: '$HOME_NET',
  DNP3_CLIENT: '$HOME_NET',
  MODBUS_CLIENT: '$HOME_NET',
  MODBUS_SERVER: '$HOME_NET',
  ENIP_CLIENT: '$HOME_NET',
  ENIP_SERVER: '$HOME_NET',
};

/** Suricata's default port groups. */
export const DEFAULT_PORT_GROUPS: Readonly<Record<string, string>> = {
  HTTP_PORTS: '80',
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1521',
  SSH_PORTS: '22',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  FTP_PORTS: '21',
  GENEVE_PORTS: '6081',
  VXLAN_PORTS: '4789',
  TEREDO_PORTS: '3544',
  SIP_PORTS: '[5060,5061]',
};

/** Address and port variables used while parsing rules. */
export interface RuleVars {
  address: Record<string, string>;
  port: Record<string, string>;
}

export function defaultVars(): RuleVars {
  return { address: { ...DEFAULT_ADDRESS_GROUPS }, port: { ...DEFAULT_PORT_GROUPS } };
}

function asGroup(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new SentraError(ErrorCodes.INVALID_CONFIG, `${where} must be a mapping of NAME: value`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string' && typeof val !== 'number')
      throw new SentraError(ErrorCodes.INVALID_CONFIG, `${where}.${k} must be a string or a number`);
    out[k] = String(val);
  }
  return out;
}

/**
 * Vars from a parsed YAML document (`vars: {address-groups: {...}, port-groups: {...}}`),
 * layered over Suricata's defaults.
 */
export function varsFromConfig(doc: unknown): RuleVars {
  const vars = defaultVars();
  if (doc === null || typeof doc !== 'object') return vars;
  const v = (doc as Record<string, unknown>).vars;
  if (v === undefined || v === null) return vars;
  if (typeof v !== 'object') throw new SentraError(ErrorCodes.INVALID_CONFIG, '"vars" must be a mapping');
  const o = v as Record<string, unknown>;
  Object.assign(vars.address, asGroup(o['address-groups'], 'vars.address-groups'));
  Object.assign(vars.port, asGroup(o['port-groups'], 'vars.port-groups'));
  return vars;
}

/** Reads vars from a YAML file (Suricata's own suricata.yaml works: the `%YAML` line is accepted). */
export function loadVarsFile(file: string): RuleVars {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read config ${file}: ${(e as Error).message}`, { cause: e });
  }
  return varsFromConfig(parseSuricataYaml(text, file));
}

/** Parses YAML the way Suricata writes it (drops the `%YAML 1.1` directive some parsers reject). */
export function parseSuricataYaml(text: string, file = 'config'): unknown {
  try {
    return parseYaml(text.replace(/^%YAML[^\n]*\n/, ''), { uniqueKeys: false });
  } catch (e) {
    throw new SentraError(ErrorCodes.INVALID_CONFIG, `${file} is not valid YAML: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
