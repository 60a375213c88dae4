/**
 * DHCP messages as real programs sent them, recorded on Linux network
 * namespaces (ISC dhclient 4.4.3, dnsmasq 2.90, ISC dhcrelay 4.4.3; client MAC
 * 52:54:00:a1:b2:c3, host name "vm"; dnsmasq with
 * `--dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-option=3,192.168.1.1
 * --dhcp-option=6,192.168.1.1 --dhcp-boot=pxelinux.0 --port=0` on
 * 192.168.1.1/24, and for the relayed pair a second range
 * `10.0.2.100,10.0.2.200,255.255.255.0,12h` behind a relay at 10.0.2.1, the
 * server at 172.16.0.1). UDP payloads, written as hex with `0*N` for a run
 * of N zero bytes, and padded with zeros to the 300 bytes they had.
 *
 * @module
 */

/** The bytes of a fixture: hex, `0*N` runs of zeros, padded to 300 bytes. */
function bytes(spec: string): Uint8Array {
  let hex = "";
  for (const tok of spec.trim().split(/\s+/)) {
    hex += tok.startsWith("0*") ? "00".repeat(Number(tok.slice(2))) : tok;
  }
  const out = new Uint8Array(Math.max(300, hex.length / 2));
  for (let i = 0; i < hex.length; i += 2) out[i / 2] = parseInt(hex.slice(i, i + 2), 16);
  return out;
}

/** dhclient's DISCOVER: host name, its 13-code request list. */
export const DHCLIENT_DISCOVER: Uint8Array = bytes(`
  01010600dfc0f530 0*20 525400a1b2c3 0*202
  638253633501010c02766d370d011c02030f06770c2c2f1a792aff
`);

/** dnsmasq's OFFER of 192.168.1.135, next server itself, file pxelinux.0. */
export const DNSMASQ_OFFER: Uint8Array = bytes(`
  02010600dfc0f530 0*8 c0a80187c0a8010100000000525400a1b2c3 0*74 7078656c696e75782e30
  0*118
  638253633501023604c0a8010133040000a8c03a04000054603b04000093a80104ffffff001c04c0a801ff06
  04c0a801010304c0a80101ff
`);

/** dhclient's REQUEST in SELECTING: server id and requested address. */
export const DHCLIENT_REQUEST: Uint8Array = bytes(`
  01010600dfc0f530 0*20 525400a1b2c3 0*202
  638253633501033604c0a801013204c0a801870c02766d370d011c02030f06770c2c2f1a792aff
`);

/** dnsmasq's ACK: the OFFER's options plus the host name. */
export const DNSMASQ_ACK: Uint8Array = bytes(`
  02010600dfc0f530 0*8 c0a80187c0a8010100000000525400a1b2c3 0*74 7078656c696e75782e30
  0*118
  638253633501053604c0a8010133040000a8c03a04000054603b04000093a80104ffffff001c04c0a801ff0c
  02766d0604c0a801010304c0a80101ff
`);

/** dhclient's REQUEST in INIT-REBOOT: requested address, no server id. */
export const DHCLIENT_REBOOT_REQUEST: Uint8Array = bytes(`
  01010600f1722738 0*20 525400a1b2c3 0*202
  638253633501033204c0a801870c02766d370d011c02030f06770c2c2f1a792aff
`);

/** dhclient's RELEASE: ciaddr and server id. */
export const DHCLIENT_RELEASE: Uint8Array = bytes(`
  0101060079ce7b0c00000000c0a80187 0*12 525400a1b2c3 0*202
  638253633501073604c0a801010c02766dff
`);

/** dhclient's REQUEST in RENEWING (unicast): ciaddr, no address options. */
export const DHCLIENT_RENEW_REQUEST: Uint8Array = bytes(`
  01010600f5e7f51500000000c0a80187 0*12 525400a1b2c3 0*202
  638253633501030c02766d370d011c02030f06770c2c2f1a792aff
`);

/** dnsmasq's ACK to a renewal: T1 and T2 shortened by its random fuzz. */
export const DNSMASQ_RENEW_ACK: Uint8Array = bytes(`
  02010600f5e7f51500000000c0a80187c0a80187c0a8010100000000525400a1b2c3 0*202
  638253633501053604c0a801013304000000783a04000000373b04000000640104ffffff001c04c0a801ff03
  04c0a801010c02766dff
`);

/** dhclient's REQUEST after T2 (broadcast): ciaddr as in RENEWING. */
export const DHCLIENT_REBIND_REQUEST: Uint8Array = bytes(`
  01010600f5e7f515003c0000c0a80187 0*12 525400a1b2c3 0*202
  638253633501030c02766d370d011c02030f06770c2c2f1a792aff
`);

/** A DISCOVER as dhcrelay forwards it: giaddr 10.0.2.1, hops 1. */
export const DHCRELAY_DISCOVER: Uint8Array = bytes(`
  010106019f862267 0*16 0a000201525400000201 0*202
  638253633501010c02766d370d011c02030f06770c2c2f1a792aff
`);

/** dnsmasq's OFFER to the relay: 10.0.2.155, the relay as router. */
export const DNSMASQ_RELAYED_OFFER: Uint8Array = bytes(`
  020106019f862267 0*8 0a00029bac1000010a000201525400000201 0*202
  638253633501023604ac10000133040000a8c03a04000054603b04000093a80104ffffff001c040a0002ff03
  040a000201ff
`);
