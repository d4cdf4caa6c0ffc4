import Foundation
import NetauditCore

/// Whether this process may send ICMP echoes, asked once before a run rather than learnt
/// from every link: without CAP_NET_RAW and with ICMP datagram sockets not allowed for its
/// group, every ICMP link would be "not probed", which reads like a provincial outage.
public enum ICMPAccess {
    /// Why this process may not probe the ICMP `links` (the first address family it is
    /// denied), and how many links of that family there are; nil when it may. Only a
    /// refusal for want of the right counts: a family the host lacks (IPv6 disabled) or a
    /// shortage of descriptors is said per link, with its true reason, as before.
    /// Opens a socket per family needed and closes it at once.
    public static func problem(for links: [Link]) -> (reason: String, links: Int)? {
        let icmp = links.filter { $0.method == .icmp }
        for ipv6 in Set(icmp.map(\.address.isIPv6)).sorted(by: { !$0 && $1 }) {
            if let refusal = ICMPPinger.open(ipv6: ipv6).refusal {
                return (refusal, icmp.filter { $0.address.isIPv6 == ipv6 }.count)
            }
        }
        return nil
    }

    /// The whole message for an operator: what failed and the four ways out.
    public static func refusal(for links: [Link], executable: String = CommandLine.arguments.first ?? "netaudit") -> String? {
        guard let (problem, count) = problem(for: links) else { return nil }
        return "cannot probe the \(count) ICMP link\(count == 1 ? "" : "s") of the inventory: \(problem).\n"
            + "  Either run netaudit as root; or give it the capability: setcap cap_net_raw+ep \(executable) "
            + "(systemd: AmbientCapabilities=CAP_NET_RAW, as netaudit.service has); or allow ICMP datagram sockets "
            + "for its group: sysctl -w net.ipv4.ping_group_range='0 2147483647'; or probe the links by TCP: "
            + "method: tcp (docs/inventory.md). Nothing was probed."
    }
}
