import Foundation

/// One invalid inventory under `Tests/NetauditInventoryTests/Fixtures/invalid/` and the exact
/// messages the operator sees for it: shared by the library's test (InvalidInventoryTests)
/// and the CLI's (InventoryCommandTests), so that the messages are written once.
public struct InvalidInventoryCase: CustomStringConvertible, Sendable {
    /// The fixture, relative to the `invalid` folder.
    public let file: String
    /// The messages in order, relative to the `invalid` folder; `{dir}` stands for that
    /// folder and `{fixtures}` for the `Fixtures` folder where a message names a path.
    public let messages: [String]

    /// The name Swift Testing shows for the argument.
    public var description: String { file }

    /// The messages as `FILE:LINE:COLUMN: message` lines, with the fixtures at `fixtures`
    /// (as the path given to the loader spells that folder).
    public func expectedMessages(fixtures: String = InvalidInventoryCases.fixtures) -> [String] {
        let folder = fixtures + "/invalid"
        return messages.map {
            folder + "/" + $0.replacingOccurrences(of: "{dir}", with: folder)
                .replacingOccurrences(of: "{fixtures}", with: fixtures)
        }
    }
}

public enum InvalidInventoryCases {
    /// `Tests/NetauditInventoryTests/Fixtures`, from this file's location.
    public static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NetauditInventoryTests/Fixtures").path

    static let allow = "(127.0.0.0/8, ::1/128)"
    /// One case per fixture (InvalidInventoryTests checks that none is missing).
    public static let all: [InvalidInventoryCase] = [
        InvalidInventoryCase(file: "yaml-syntax.yaml", messages: [
            "yaml-syntax.yaml:3:9: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)",
        ]),
        InvalidInventoryCase(file: "not-utf8.yaml", messages: [
            "not-utf8.yaml:5:13: the file is not valid UTF-8",
        ]),
        InvalidInventoryCase(file: "not-utf8-truncated.yaml", messages: [
            "not-utf8-truncated.yaml:4:13: the file is not valid UTF-8",
        ]),
        InvalidInventoryCase(file: "nul-byte.yaml", messages: [
            "nul-byte.yaml:4:13: invalid YAML: control characters are not allowed (character U+0000)",
        ]),
        InvalidInventoryCase(file: "control-character.yaml", messages: [
            "control-character.yaml:4:25: invalid YAML: control characters are not allowed (character U+001B)",
        ]),
        InvalidInventoryCase(file: "empty.yaml", messages: [
            "empty.yaml:1:1: the inventory is empty: it needs at least 'levels' and 'agencies'",
        ]),
        InvalidInventoryCase(file: "include-empty/inventory.yaml", messages: [
            "include-empty/empty.yaml:1:1: the included file is empty: it needs 'agencies'",
        ]),
        InvalidInventoryCase(file: "include-folder/inventory.yaml", messages: [
            "include-folder/inventory.yaml:7:18: cannot read '{dir}/include-folder/district.yaml': it is a folder",
            "include-folder/inventory.yaml:8:18: cannot read '/dev/null': it is a character device, not a regular file",
        ]),
        InvalidInventoryCase(file: "alias-bomb.yaml", messages: [
            "alias-bomb.yaml:4:40: excessive aliasing: the node here is repeated through aliases too many times (aliased nodes may be at most 99% of a document's nodes, less in large documents)",
        ]),
        InvalidInventoryCase(file: "alias-key.yaml", messages: [
            "alias-key.yaml:30:57: the alias '*a24' of a list or mapping is used as a mapping key: keys are plain words",
        ]),
        InvalidInventoryCase(file: "unknown-key-long.yaml", messages: [
            "unknown-key-long.yaml:6:5: unknown key 'root:$6$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' in agency (expected one of: code, name, level, kind, link, endpoints, children)",
            "unknown-key-long.yaml:7:5: unknown key 'nm\\u{7}e\\u{202e}gnp.exe' in agency (expected one of: code, name, level, kind, link, endpoints, children)",
        ]),
        InvalidInventoryCase(file: "duplicate-key.yaml", messages: [
            "duplicate-key.yaml:5:5: key 'name' appears more than once in this mapping",
        ]),
        InvalidInventoryCase(file: "unknown-key.yaml", messages: [
            "unknown-key.yaml:5:5: unknown key 'nmae' in agency (did you mean 'name'?)",
            "unknown-key.yaml:7:5: unknown key 'colour' in agency (expected one of: code, name, level, kind, link, endpoints, children)",
        ]),
        InvalidInventoryCase(file: "missing-required.yaml", messages: [
            "missing-required.yaml:4:5: missing required key 'name' in agency",
            "missing-required.yaml:7:9: missing required key 'code' in agency",
        ]),
        InvalidInventoryCase(file: "duplicate-code.yaml", messages: [
            "duplicate-code.yaml:11:15: duplicate agency code '622' (first declared at {dir}/duplicate-code.yaml:8:15)",
        ]),
        InvalidInventoryCase(file: "via-unknown.yaml", messages: [
            "via-unknown.yaml:12:43: link via '46' names no agency of the inventory",
        ]),
        InvalidInventoryCase(file: "via-cycle.yaml", messages: [
            "via-cycle.yaml:7:38: link via forms a cycle: 64 → 623 → 622 → 64",
            "via-cycle.yaml:20:43: link via forms a cycle: 624 → 624",
        ]),
        InvalidInventoryCase(file: "via-unlinked.yaml", messages: [
            "via-unlinked.yaml:11:43: link via '64' names an agency that has no link",
        ]),
        InvalidInventoryCase(file: "level-out-of-order.yaml", messages: [
            "level-out-of-order.yaml:14:20: level 'district' of agency '622' is above the level 'commune' of its parent '23557' (levels from the top: province, district, commune)",
        ]),
        InvalidInventoryCase(file: "level-unknown.yaml", messages: [
            "level-unknown.yaml:6:12: unknown level 'provnice' (did you mean 'province'?)",
        ]),
        InvalidInventoryCase(file: "address-malformed.yaml", messages: [
            "address-malformed.yaml:7:21: invalid link address '127.2.0.300': not an IPv4 or IPv6 address",
            "address-malformed.yaml:10:18: invalid endpoint address '::1::2': not an IPv4 or IPv6 address",
        ]),
        InvalidInventoryCase(file: "url-malformed.yaml", messages: [
            "url-malformed.yaml:8:9: invalid endpoint url 'http://64.gialai.test/': the scheme must be https://",
            "url-malformed.yaml:9:9: invalid endpoint url 'https://64.gialai.test:70000/': '70000' is not a port between 1 and 65535",
            "url-malformed.yaml:10:14: invalid endpoint url 'https://bad_host.gialai.test/': 'bad_host.gialai.test' is not a valid host name or IP address",
        ]),
        InvalidInventoryCase(file: "outside-allow-list.yaml", messages: [
            "outside-allow-list.yaml:9:21: link address 192.0.2.64 is outside the allowed target networks \(allow)",
            "outside-allow-list.yaml:12:18: endpoint address 2001:db8::64 is outside the allowed target networks \(allow)",
            "outside-allow-list.yaml:13:9: endpoint host 192.0.2.65 is outside the allowed target networks \(allow)",
        ]),
        InvalidInventoryCase(file: "include-missing.yaml", messages: [
            "include-missing.yaml:8:18: included file 'district/no-such-district.yaml' does not exist",
            "include-missing.yaml:9:18: include 'district/*.yml' matches no file",
        ]),
        InvalidInventoryCase(file: "include-self.yaml", messages: [
            "include-self.yaml:4:14: include 'include-self.yaml' includes the file itself",
        ]),
        InvalidInventoryCase(file: "include-cycle/inventory.yaml", messages: [
            "include-cycle/b.yaml:5:14: include './a.yaml' makes a cycle: {dir}/include-cycle/a.yaml → {dir}/include-cycle/b.yaml → {dir}/include-cycle/a.yaml",
        ]),
        InvalidInventoryCase(file: "nested-error/inventory.yaml", messages: [
            "nested-error/district.yaml:1:1: key 'levels' belongs in the top inventory file, not in an included file",
            "nested-error/district.yaml:6:11: link method tcp needs a port",
        ]),
        InvalidInventoryCase(file: "bad-settings.yaml", messages: [
            "bad-settings.yaml:1:10: unsupported inventory version '2': this netaudit reads version 1",
            "bad-settings.yaml:5:3: targets: unknown level 'distrct' (did you mean 'district'?)",
            "bad-settings.yaml:6:13: invalid target '120' for level 'district': expected a percentage from 0 to 100",
            "bad-settings.yaml:8:5: invalid network '127.0.0.1/8' in allow: write ADDRESS/PREFIX with the network's first address, e.g. 127.0.0.0/8",
            "bad-settings.yaml:10:13: trust anchor '../pki/missing.pem' cannot be read (looked for {fixtures}/pki/missing.pem)",
            "bad-settings.yaml:11:19: trust intermediate '../pki/missing-intermediate.pem' cannot be read (looked for {fixtures}/pki/missing-intermediate.pem)",
            "bad-settings.yaml:11:52: trust intermediate 'bad-settings.yaml' holds no PEM certificate",
            "bad-settings.yaml:14:12: invalid probe.link.count '0': expected a whole number from 1 to 1000",
            "bad-settings.yaml:15:15: invalid probe.link.interval '5': write a positive number and a unit, e.g. 200ms, 1s, 5m",
        ]),
        InvalidInventoryCase(file: "bad-policy.yaml", messages: [
            "bad-policy.yaml:4:12: unknown policy profile 'basline' (did you mean 'baseline'?)",
            "bad-policy.yaml:6:5: unknown threshold 'link_los_percent' in policy (did you mean 'link_loss_percent'?)",
            "bad-policy.yaml:7:21: invalid value for threshold 'link_median_ms': expected a number",
            "bad-policy.yaml:9:5: unknown rule id 'ocsp.no_stapeling' in policy (did you mean 'ocsp.no_stapling'?)",
            "bad-policy.yaml:10:19: invalid severity for 'cert.expired': expected one of info, low, medium, high, critical",
        ]),
        InvalidInventoryCase(file: "bad-link.yaml", messages: [
            "bad-link.yaml:7:11: invalid kind 'departmnet' (did you mean 'department'?)",
            "bad-link.yaml:8:41: invalid link method 'udp' (expected one of: icmp, tcp)",
            "bad-link.yaml:8:46: a port is only used with method tcp",
            "bad-link.yaml:12:11: link method tcp needs a port",
            "bad-link.yaml:13:11: invalid agency code '6 6': use ASCII letters, digits, '-', '_' and '.'",
            "bad-link.yaml:16:52: invalid port '70000': expected a whole number from 1 to 65535",
        ]),
    ]
}
