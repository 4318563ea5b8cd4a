import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit access to one SQLite connection, like SQLiteKit's own `sql()` wrapper but with direct
/// conversions for the value types Cairn binds and reads (strings, integers, doubles, their
/// optionals). SQLiteKit routes every bind and every column through its `Encoder`/`Decoder`
/// (a conformance lookup per value), which was the largest cost of 1,000-point batches and
/// 5,000-point histories; anything else still goes through SQLiteKit's encoder and decoder.
struct SQLiteSQLConnection: SQLDatabase {
    let connection: SQLiteConnection
    let logger: Logger

    private static let encoder = SQLiteDataEncoder()

    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let (sql, binds) = serialize(query)
        do {
            return connection.query(sql, try binds.map(Self.data(for:)), logger: logger) { onRow(SQLiteFastRow(row: $0)) }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        try await connection.query(sql, try binds.map(Self.data(for:))) { onRow(SQLiteFastRow(row: $0)) }
    }

    static func data(for value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let number as Int64: .integer(Int(number))
        case let number as Int: .integer(number)
        case let number as Double: .float(number)
        default: try encoder.encode(value)
        }
    }
}

/// A result row read by column name, converting common types directly.
struct SQLiteFastRow: SQLRow {
    let row: SQLiteRow

    private static let decoder = SQLiteDataDecoder()

    struct MissingColumn: Error, CustomStringConvertible {
        let column: String
        var description: String { "No column '\(column)' in the result row" }
    }

    var allColumns: [String] { row.columns.map(\.name) }

    func contains(column: String) -> Bool { row.column(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let data = row.column(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = row.column(column) else { throw MissingColumn(column: column) }
        if let value = Self.direct(data, as: type) { return value }
        return try Self.decoder.decode(D.self, from: data)
    }

    /// The value for the types queries here decode most, or nil to fall back to the decoder.
    /// Each conversion is guarded by comparing metatypes, so the bit casts only ever turn a value
    /// into its own type (`as? D` would be a dynamic cast per column of every row).
    private static func direct<D>(_ data: SQLiteData, as type: D.Type) -> D? {
        switch data {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
        case .integer(let number):
            if D.self == Int64.self { return unsafeBitCast(Int64(number), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Double.self { return unsafeBitCast(Double(number), to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Optional(Int64(number)), to: D.self) }
        case .float(let number):
            if D.self == Double.self { return unsafeBitCast(number, to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
        case .blob:
            break
        }
        return nil
    }
}
