//! A capture file (pcap or pcapng, from Wireshark, tcpdump or an archive)
//! read down to its TCP segments: pcap-parser streams the file one buffer at
//! a time (a 2 GB capture is never held whole), etherparse takes the link,
//! IP and TCP layers apart. Link types: Ethernet, Linux cooked (SLL, SLL2),
//! BSD loopback (null, loop) and raw IP; IPv4 and IPv6.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pcap_parser::pcapng::Block;
use pcap_parser::{PcapBlockOwned, PcapError};

use super::CaptureError;

/// One TCP segment of the capture.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// The packet's number in the file, from 1 (as Wireshark counts).
    pub index: u64,
    /// When it was captured: microseconds since 1970.
    pub ts_us: i64,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub syn: bool,
    pub has_ack: bool,
    pub fin: bool,
    pub rst: bool,
    /// The payload as captured.
    pub payload: &'a [u8],
    /// Octets of payload the snap length cut off (never captured).
    pub cut: u64,
}

/// What reading the whole file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub packets: u64,
    pub tcp: u64,
    /// Packets whose payload the snap length cut.
    pub cut_packets: u64,
    /// Link types met that facteur cannot read (pcap's LINKTYPE_ numbers).
    pub unsupported: Vec<i32>,
}

/// The first buffer; it grows for a bigger block, up to [`MAX_BLOCK`].
const BUFFER: usize = 256 << 10;
/// A block larger than this is no packet of a mail session: the file is damaged.
const MAX_BLOCK: usize = 16 << 20;

/// An interface of a pcapng section (or the one of a pcap file).
#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: i32,
    /// Units of a timestamp per second.
    resolution: u64,
    /// Seconds added to every timestamp (pcapng if_tsoffset).
    offset: i64,
}

/// The magic numbers that start a capture: pcap (µs or ns, either byte
/// order) and pcapng's Section Header Block type (draft-ietf-opsawg-pcapng §4.1).
pub fn is_capture_magic(head: &[u8]) -> bool {
    matches!(
        head.get(..4),
        Some(
            [0xa1, 0xb2, 0xc3, 0xd4]
                | [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0x0a, 0x0d, 0x0d, 0x0a]
        )
    )
}

/// Read every packet of `input` and hand each TCP segment to `each`.
pub fn read_segments<R: Read>(
    input: R,
    mut each: impl FnMut(&Segment),
) -> Result<Summary, CaptureError> {
    let mut reader = match pcap_parser::create_reader(BUFFER, input) {
        Ok(r) => r,
        Err(PcapError::Eof) => return Err(CaptureError::Empty),
        Err(PcapError::Incomplete(_)) | Err(PcapError::UnexpectedEof) => {
            return Err(CaptureError::Truncated { packets: 0 });
        }
        Err(PcapError::ReadError) => return Err(CaptureError::Read),
        Err(_) => return Err(CaptureError::NotCapture),
    };
    let mut summary = Summary::default();
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut size = BUFFER;
    let mut last_ts = 0i64;
    loop {
        let consumed = {
            let (offset, block) = match reader.next() {
                Ok(found) => found,
                Err(PcapError::Eof) => break,
                Err(PcapError::Incomplete(_)) => {
                    reader.refill().map_err(|_| CaptureError::Read)?;
                    continue;
                }
                Err(PcapError::BufferTooSmall) => {
                    size *= 2;
                    if size > MAX_BLOCK || !reader.grow(size) {
                        return Err(CaptureError::Corrupt {
                            packets: summary.packets,
                        });
                    }
                    reader.refill().map_err(|_| CaptureError::Read)?;
                    continue;
                }
                Err(PcapError::UnexpectedEof) => {
                    return Err(CaptureError::Truncated {
                        packets: summary.packets,
                    });
                }
                Err(PcapError::ReadError) => return Err(CaptureError::Read),
                Err(_) => {
                    return Err(CaptureError::Corrupt {
                        packets: summary.packets,
                    });
                }
            };
            // (interface, timestamp or None, captured data, original length)
            let packet: Option<(Interface, Option<i64>, &[u8], u32)> = match &block {
                PcapBlockOwned::LegacyHeader(h) => {
                    interfaces = vec![Interface {
                        linktype: h.network.0,
                        resolution: if h.is_nanosecond_precision() {
                            1_000_000_000
                        } else {
                            1_000_000
                        },
                        offset: 0,
                    }];
                    None
                }
                PcapBlockOwned::Legacy(b) => interfaces.first().map(|i| {
                    let frac = i128::from(b.ts_usec) * 1_000_000 / i128::from(i.resolution);
                    let ts = i64::from(b.ts_sec) * 1_000_000 + frac as i64;
                    (*i, Some(ts), b.data, b.origlen)
                }),
                PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                    // A new section starts its own list of interfaces (§4.1).
                    interfaces.clear();
                    None
                }
                PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                    interfaces.push(Interface {
                        linktype: idb.linktype.0,
                        resolution: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                        offset: idb.ts_offset(),
                    });
                    None
                }
                PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                    interfaces.get(epb.if_id as usize).map(|i| {
                        let units = (u128::from(epb.ts_high) << 32) | u128::from(epb.ts_low);
                        let us = units * 1_000_000 / u128::from(i.resolution);
                        let ts = (us.min(i64::MAX as u128) as i64)
                            .saturating_add(i.offset.saturating_mul(1_000_000));
                        let len = (epb.caplen as usize).min(epb.data.len());
                        (*i, Some(ts), &epb.data[..len], epb.origlen)
                    })
                }
                PcapBlockOwned::NG(Block::SimplePacket(spb)) => interfaces.first().map(|i| {
                    let len = (spb.origlen as usize).min(spb.data.len());
                    (*i, None, &spb.data[..len], spb.origlen)
                }),
                PcapBlockOwned::NG(_) => None,
            };
            if let Some((iface, ts, data, origlen)) = packet {
                summary.packets += 1;
                let ts_us = ts.unwrap_or(last_ts);
                last_ts = ts_us;
                match decode(iface.linktype, data) {
                    Some(sliced) => {
                        if let Some(seg) = segment(&sliced, summary.packets, ts_us, data, origlen) {
                            summary.tcp += 1;
                            if seg.cut > 0 {
                                summary.cut_packets += 1;
                            }
                            each(&seg);
                        }
                    }
                    None if !supported(iface.linktype)
                        && !summary.unsupported.contains(&iface.linktype) =>
                    {
                        summary.unsupported.push(iface.linktype);
                    }
                    None => {}
                }
            }
            offset
        };
        reader.consume(consumed);
    }
    Ok(summary)
}

/// The link types facteur reads (tcpdump.org's LINKTYPE_ list).
fn supported(linktype: i32) -> bool {
    matches!(
        linktype,
        0 | 1 | 12 | 14 | 101 | 108 | 113 | 228 | 229 | 276
    )
}

/// The packet's layers, from its link type.
fn decode(linktype: i32, data: &[u8]) -> Option<LaxSlicedPacket<'_>> {
    match linktype {
        // LINKTYPE_ETHERNET (VLAN tags are read through).
        1 => LaxSlicedPacket::from_ethernet(data).ok(),
        // LINKTYPE_NULL and LINKTYPE_LOOP: a 4-octet address family, then IP.
        0 | 108 => LaxSlicedPacket::from_ip(data.get(4..)?).ok(),
        // LINKTYPE_RAW (and the BSDs' 12 and 14), LINKTYPE_IPV4, LINKTYPE_IPV6.
        12 | 14 | 101 | 228 | 229 => LaxSlicedPacket::from_ip(data).ok(),
        // LINKTYPE_LINUX_SLL: 16 octets, the protocol (an EtherType) last.
        113 => {
            let proto = u16::from_be_bytes([*data.get(14)?, *data.get(15)?]);
            Some(LaxSlicedPacket::from_ether_type(
                EtherType(proto),
                data.get(16..)?,
            ))
        }
        // LINKTYPE_LINUX_SLL2: 20 octets, the protocol first.
        276 => {
            let proto = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
            Some(LaxSlicedPacket::from_ether_type(
                EtherType(proto),
                data.get(20..)?,
            ))
        }
        _ => None,
    }
}

/// The TCP segment of a packet, if it is one.
fn segment<'a>(
    p: &LaxSlicedPacket<'a>,
    index: u64,
    ts_us: i64,
    data: &[u8],
    origlen: u32,
) -> Option<Segment<'a>> {
    let (src, dst, incomplete) = match p.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => (
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
            ip.payload().incomplete,
        ),
        LaxNetSlice::Ipv6(ip) => (
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
            ip.payload().incomplete,
        ),
        LaxNetSlice::Arp(_) => return None,
    };
    let Some(TransportSlice::Tcp(tcp)) = p.transport.as_ref() else {
        return None;
    };
    // What the snap length cut is the end of the frame: TCP payload, as
    // long as the TCP header itself was captured (etherparse checked it).
    let cut = if incomplete {
        u64::from(origlen).saturating_sub(data.len() as u64)
    } else {
        0
    };
    Some(Segment {
        index,
        ts_us,
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        syn: tcp.syn(),
        has_ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
        cut,
    })
}
