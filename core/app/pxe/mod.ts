/**
 * PXE network boot: the firmware's DHCP and TFTP steps and PXELINUX's
 * configuration lookup, loading a kernel and its initrds over TFTP.
 *
 * Contract: {@link PxeClient} drives a machine's boot on one interface with
 * core/app/dhcp's client and core/app/tftp's transfers, and records every step
 * (`console`, `fetches`, `files`); {@link pxelinuxConfigCandidates} and
 * {@link parsePxelinuxConfig} are PXELINUX's lookup order and configuration
 * reader on their own. Nothing here reads the wall clock; waits are virtual.
 *
 * @module
 */
export * from "./boot.ts";
export * from "./pxelinux_config.ts";
