// The card emulator lives in the gateway's tools (the tap benchmark uses it too).
export { VirtualCard, VPCD_PORTS, NTAG_ATR, ISO14443_4_ATR } from '../../gateway/src/tools/vpcd-card.js';
