import Foundation
import NetauditCore

/// The real link and endpoint addresses of a province's agencies, from a CSV an operator
/// keeps (`inventory import --addresses-file`): one row per agency,
///
///     code,link_address,method,via,endpoints
///     64,198.18.0.10,icmp,,https://gialai.test/ https://dichvucong.gialai.test/
///     622,198.18.1.10,tcp:443,64,https://pleiku.gialai.test/
///
/// - `code` (or `Mã`): an agency of the imported units (or a department's id);
/// - `link_address` (or `Địa chỉ đường truyền`): its address on the dedicated network; empty
///   for an agency without a link yet;
/// - `method` (optional; `Phương thức`): `icmp` (the default) or `tcp:PORT`;
/// - `via` (optional; `Qua`): the agency whose network node this link goes through;
/// - `endpoints` (optional; `Dịch vụ`): its `https://` URLs, separated by spaces or `;`.
///
/// Every value is checked as the YAML loader checks it, and reported at its line and
/// column: an unknown code (with the closest one), a duplicate row, an address that is not
/// one or lies outside `allow`, an unknown method, a `via` that names no agency, an
/// endpoint URL that is not `https://host[:port][/path]`.
public struct AddressesFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public var link: Link?
        public var endpoints: [Endpoint]
    }

    /// By agency code.
    public var entries: [String: Entry]

    enum Column: CaseIterable {
        case code, address, method, via, endpoints

        var names: [String] {
            switch self {
            case .code: return ["code", "mã", "agency"]
            case .address: return ["link_address", "link address", "address", "địa chỉ đường truyền", "địa chỉ"]
            case .method: return ["method", "phương thức"]
            case .via: return ["via", "qua"]
            case .endpoints: return ["endpoints", "endpoint urls", "urls", "dịch vụ"]
            }
        }
    }

    /// Reads `path` against the agencies it may name and the networks netaudit may probe.
    public static func read(_ path: String, agencies: [Agency], allow: [IPNetwork]) throws(InventoryError) -> AddressesFile {
        let table = try CSVTable.read(path)
        let header = table.header.map(GSOUnitsFile.normalised)
        var columns: [Column: Int] = [:]
        for column in Column.allCases {
            if let index = header.firstIndex(where: { column.names.contains($0) }) { columns[column] = index }
        }
        guard let codeColumn = columns[.code], columns[.address] != nil || columns[.endpoints] != nil else {
            throw InventoryError(diagnostics: [Diagnostic(SourceLocation(file: path, line: 1, column: 1),
                "the header needs 'code' and 'link_address' or 'endpoints' (the header has: \(table.header.joined(separator: ", ")))")])
        }
        let codes = agencies.map(\.code)
        let known = Set(codes)
        let allowText = allow.isEmpty ? "none" : allow.map(\.description).joined(separator: ", ")
        var diagnostics: [Diagnostic] = []
        var entries: [String: Entry] = [:]
        var firstRow: [String: SourceLocation] = [:]
        for record in table.completeRecords(reporting: &diagnostics) {
            func field(_ column: Column) -> CSVTable.Field? { columns[column].map { record.fields[$0] } }
            func value(_ column: Column) -> String { field(column)?.text.trimmingCharacters(in: .whitespaces) ?? "" }
            let codeField = record.fields[codeColumn]
            let code = value(.code)
            guard !code.isEmpty else {
                diagnostics.append(Diagnostic(codeField.location, "empty code"))
                continue
            }
            guard known.contains(code) else {
                diagnostics.append(Diagnostic(codeField.location, "no agency with code '\(code)' in the units"
                    + (Suggestion.closest(to: code, in: codes).map { " (did you mean '\($0)'?)" } ?? "")))
                continue
            }
            if let first = firstRow[code] {
                diagnostics.append(Diagnostic(codeField.location, "a second row for agency '\(code)' (the first is at line \(first.line))"))
                continue
            }
            firstRow[code] = codeField.location
            var entry = Entry(link: nil, endpoints: [])
            var valid = true
            let addressText = value(.address)
            let methodText = value(.method)
            let viaText = value(.via)
            if !addressText.isEmpty, let addressField = field(.address) {
                var method = Link.Method.icmp
                if !methodText.isEmpty {
                    if let parsed = Link.Method(text: methodText) { method = parsed } else {
                        diagnostics.append(Diagnostic(field(.method)!.location, "unknown method '\(methodText)' (expected icmp or tcp:PORT)"))
                        valid = false
                    }
                }
                if !viaText.isEmpty, !known.contains(viaText) || viaText == code {
                    diagnostics.append(Diagnostic(field(.via)!.location, viaText == code ? "an agency's link cannot go via itself"
                        : "via '\(viaText)' names no agency" + (Suggestion.closest(to: viaText, in: codes).map { " (did you mean '\($0)'?)" } ?? "")))
                    valid = false
                }
                if let address = IPAddress(addressText) {
                    if !allow.permits(address) {
                        diagnostics.append(Diagnostic(addressField.location,
                            "link address \(address) is outside the allowed target networks (\(allowText)); give the dedicated network's ranges with --allow"))
                        valid = false
                    }
                    entry.link = Link(address: address, method: method, via: viaText.isEmpty ? nil : viaText)
                } else {
                    diagnostics.append(Diagnostic(addressField.location, "'\(addressText)' is not an IPv4 or IPv6 address"))
                    valid = false
                }
            } else if !methodText.isEmpty || !viaText.isEmpty {
                diagnostics.append(Diagnostic((field(.address) ?? codeField).location, "a method or via without a link_address"))
                valid = false
            }
            if let endpointsField = field(.endpoints) {
                let urls = endpointsField.text.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\t" || $0 == "\n" })
                var seen: Set<String> = []
                for text in urls {
                    switch EndpointURL.parse(String(text)) {
                    case .success(let url):
                        if let host = url.hostAddress, !allow.permits(host) {
                            diagnostics.append(Diagnostic(endpointsField.location,
                                "endpoint host \(host) is outside the allowed target networks (\(allowText)); give the dedicated network's ranges with --allow"))
                            valid = false
                        } else if !seen.insert(url.description).inserted {
                            diagnostics.append(Diagnostic(endpointsField.location, "endpoint '\(url)' is listed twice"))
                            valid = false
                        } else {
                            entry.endpoints.append(Endpoint(url: url))
                        }
                    case .failure(let problem):
                        diagnostics.append(Diagnostic(endpointsField.location, "invalid endpoint url '\(text)': \(problem)"))
                        valid = false
                    }
                }
            }
            if valid { entries[code] = entry }
        }
        guard diagnostics.isEmpty else {
            throw InventoryError(diagnostics: diagnostics.sorted { $0.location < $1.location })
        }
        return AddressesFile(entries: entries)
    }

    /// The agencies with their links and endpoints from the file; an agency without a row
    /// keeps none (it has no link yet: `link.unconfigured`).
    public func apply(to agencies: [Agency]) -> [Agency] {
        agencies.map { agency in
            var agency = agency
            if let entry = entries[agency.code] {
                agency.link = entry.link
                agency.endpoints = entry.endpoints
            }
            agency.children = apply(to: agency.children)
            return agency
        }
    }
}
