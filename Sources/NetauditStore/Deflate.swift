internal import CNetauditShims
import Foundation

/// zlib's deflate for what a store keeps in bulk (observations with their certificates,
/// inventories): JSON that repeats itself shrinks to a fifth or less, and to a few dozen
/// bytes against a preset dictionary that is a near copy (the previous observation of the
/// same endpoint). A packed value is the original length (4 bytes, big-endian), then
/// zlib's stream.
public enum Deflate {
    /// `data` packed against `dictionary`; nil if zlib fails.
    public static func pack(_ data: Data, dictionary: Data) -> Data? {
        guard data.count < Int(UInt32.max), !dictionary.isEmpty else { return nil }
        let source = [UInt8](data), preset = [UInt8](dictionary)
        var size = Int(compressBound(uLong(source.count))) + 64
        var packed = [UInt8](repeating: 0, count: size)
        guard na_deflate_with_dictionary(source, source.count, preset, preset.count, &packed, &size) == Z_OK else { return nil }
        return header(source.count) + packed.prefix(size)
    }

    /// The original of a value packed against `dictionary`; nil if it is not one.
    public static func unpack(_ data: Data, dictionary: Data) -> Data? {
        let bytes = [UInt8](data)
        guard bytes.count > 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard length <= 512 * 1024 * 1024 else { return nil }
        var size = length
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let stream = Array(bytes[4...]), preset = [UInt8](dictionary)
        guard na_inflate_with_dictionary(stream, stream.count, preset, preset.count, &output, &size) == Z_OK, size == length else { return nil }
        return Data(output.prefix(length))
    }

    private static func header(_ length: Int) -> Data {
        let length = UInt32(length)
        return Data([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
    }

    /// `data` packed; nil if zlib fails (the caller keeps the plain value then).
    public static func pack(_ data: Data) -> Data? {
        guard data.count < Int(UInt32.max) else { return nil }
        let source = [UInt8](data)
        var size = compressBound(uLong(source.count))
        var packed = [UInt8](repeating: 0, count: Int(size))
        guard compress2(&packed, &size, source, uLong(source.count), 6) == Z_OK else { return nil }
        let length = UInt32(source.count)
        return Data([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]) + packed.prefix(Int(size))
    }

    /// The original of a packed value; nil if it is not one (damaged, or not packed).
    public static func unpack(_ data: Data) -> Data? {
        let bytes = [UInt8](data)
        guard bytes.count > 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard length <= 512 * 1024 * 1024 else { return nil }
        var size = uLong(length)
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let stream = Array(bytes[4...])
        guard uncompress(&output, &size, stream, uLong(stream.count)) == Z_OK, Int(size) == length else { return nil }
        return Data(output.prefix(length))
    }
}
