/// ICMP and ICMPv6 echo messages (RFC 792, RFC 4443), built and read without C: the echo
/// request netaudit sends, and what may come back (an echo reply, or an error about one
/// of our requests).
enum ICMPEcho {
    static let payloadMagic: [UInt8] = Array("netaudit".utf8)

    enum Message: Equatable {
        case echoReply(identifier: UInt16, sequence: UInt16)
        /// Destination unreachable or time exceeded, quoting one of our echo requests.
        case error(type: UInt8, code: UInt8, identifier: UInt16, sequence: UInt16)
    }

    /// An echo request: type 8 (IPv4) or 128 (IPv6), the identifier, the sequence number,
    /// and a payload of `size` bytes starting with "netaudit". The IPv4 checksum is filled
    /// in; for ICMPv6 the kernel computes it (it covers a pseudo-header, RFC 4443 §2.3).
    static func request(ipv6: Bool, identifier: UInt16, sequence: UInt16, size: Int = 56) -> [UInt8] {
        var packet: [UInt8] = [ipv6 ? 128 : 8, 0, 0, 0,
                               UInt8(identifier >> 8), UInt8(identifier & 0xFF),
                               UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        packet += payloadMagic
        while packet.count < 8 + size { packet.append(UInt8(truncatingIfNeeded: packet.count)) }
        if !ipv6 {
            let sum = checksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xFF)
        }
        return packet
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ bytes: [UInt8]) -> UInt16 { InternetChecksum.of(bytes) }

    /// Reads a received message; nil for anything that is not about an echo of ours.
    /// `ipHeader`: raw IPv4 sockets deliver the IP header first, the others do not.
    static func parse(_ bytes: ArraySlice<UInt8>, ipv6: Bool, ipHeader: Bool) -> Message? {
        var message = bytes
        if ipHeader {
            guard let first = message.first, first >> 4 == 4 else { return nil }
            let length = Int(first & 0x0F) * 4
            guard length >= 20, message.count >= length else { return nil }
            message = message.dropFirst(length)
        }
        guard message.count >= 8 else { return nil }
        let start = message.startIndex
        let type = message[start], code = message[start + 1]
        func word(_ offset: Int, in slice: ArraySlice<UInt8>) -> UInt16 {
            UInt16(slice[slice.startIndex + offset]) << 8 | UInt16(slice[slice.startIndex + offset + 1])
        }
        let replyType: UInt8 = ipv6 ? 129 : 0
        if type == replyType {
            return .echoReply(identifier: word(4, in: message), sequence: word(6, in: message))
        }
        // Errors quote the offending packet: its IP header, then at least 8 bytes of it.
        let errorTypes: Set<UInt8> = ipv6 ? [1, 3] : [3, 11]
        guard errorTypes.contains(type) else { return nil }
        var quoted = message.dropFirst(8)
        if ipv6 {
            guard quoted.count >= 48, quoted[quoted.startIndex] >> 4 == 6 else { return nil }
            quoted = quoted.dropFirst(40)
        } else {
            guard let first = quoted.first, first >> 4 == 4 else { return nil }
            let length = Int(first & 0x0F) * 4
            guard length >= 20, quoted.count >= length + 8 else { return nil }
            quoted = quoted.dropFirst(length)
        }
        guard quoted[quoted.startIndex] == (ipv6 ? 128 : 8) else { return nil }
        return .error(type: type, code: code, identifier: word(4, in: quoted), sequence: word(6, in: quoted))
    }
}

/// The Internet checksum (RFC 1071) of an ICMPv4 message: the probe's echo requests, and the
/// network lab's late echo replies (NetauditLab) carry it.
public enum InternetChecksum {
    public static func of(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
