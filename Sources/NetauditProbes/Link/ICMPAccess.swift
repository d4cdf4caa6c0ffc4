import Foundation
import NetauditCore

/// Whether this process may send ICMP echoes, asked once before a run rather than learnt
/// from every link: without CAP_NET_RAW and with ICMP datagram sockets not allowed for its
/// group, every ICMP link would be "not probed", which reads like a provincial outage.
public enum ICMPAccess {
    /// Why the ICMP `links` cannot be probed by this process (the first address family that
    /// fails), or nil when they can. Opens a socket per family needed and closes it at once.
    public static func problem(for links: [Link]) -> String? {
        let families = Set(links.filter { $0.method == .icmp }.map(\.address.isIPv6))
        for ipv6 in families.sorted(by: { !$0 && $1 }) {
            if let problem = ICMPPinger.open(ipv6: ipv6).problem {
                return problem.hasSuffix(ICMPPinger.advice) ? String(problem.dropLast(ICMPPinger.advice.count)) : problem
            }
        }
        return nil
    }

    /// The whole message for an operator: what failed and the four ways out.
    public static func refusal(for links: [Link], executable: String = CommandLine.arguments.first ?? "netaudit") -> String? {
        guard let problem = problem(for: links) else { return nil }
        let count = links.filter { $0.method == .icmp }.count
        return "cannot probe the \(count) ICMP link\(count == 1 ? "" : "s") of the inventory: \(problem).\n"
            + "  Either run netaudit as root; or give it the capability: setcap cap_net_raw+ep \(executable) "
            + "(systemd: AmbientCapabilities=CAP_NET_RAW, as netaudit.service has); or allow ICMP datagram sockets "
            + "for its group: sysctl -w net.ipv4.ping_group_range='0 2147483647'; or probe the links by TCP: "
            + "method: tcp (docs/inventory.md). Nothing was probed."
    }
}
