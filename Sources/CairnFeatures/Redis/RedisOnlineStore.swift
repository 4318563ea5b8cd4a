import CairnCore
import Foundation

/// The online store in Redis: one hash per (project, view, entity key) holding the event time,
/// the created time and the values as JSON. A write is a Lua script run atomically by Redis, so
/// the newer-row-wins rule holds however many writers there are.
public final class RedisOnlineStore: OnlineStore {
    let connector: RedisConnector
    let prefix: String

    /// Returns 1 when it wrote, 0 when the stored row is newer (or the same).
    static let writeScript = """
        local stored = redis.call('HMGET', KEYS[1], 'e', 'c', 'v')
        if stored[1] then
          local e, ne = tonumber(stored[1]), tonumber(ARGV[1])
          if ne < e then return 0 end
          if ne == e then
            local c, nc = tonumber(stored[2]) or -math.huge, tonumber(ARGV[2]) or -math.huge
            if nc < c then return 0 end
            if nc == c and stored[3] == ARGV[3] then return 0 end
          end
        end
        redis.call('HSET', KEYS[1], 'e', ARGV[1], 'c', ARGV[2], 'v', ARGV[3])
        return 1
        """

    /// Connects to `redis://host:port` (keys start with `prefix`).
    public static func connect(url: String, prefix: String = "cairn") async throws -> RedisOnlineStore {
        guard let parsed = URL(string: url), parsed.scheme == "redis", let host = parsed.host else {
            throw CairnError.invalidParameter("The online store must be redis://host:port (got '\(url)').")
        }
        let connector = RedisConnector(host: host, port: parsed.port ?? 6379)
        _ = try await connector.send([[Array("PING".utf8)]])
        return RedisOnlineStore(connector: connector, prefix: prefix)
    }

    init(connector: RedisConnector, prefix: String) {
        self.connector = connector
        self.prefix = prefix
    }

    func key(_ project: String, _ view: String, _ entity: String) -> [UInt8] { Array("\(prefix):\(project):\(view):\(entity)".utf8) }

    public func write(project: String, view: String, rows: [OnlineRow]) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var commands: [[[UInt8]]] = []
        for row in rows {
            let values = try encoder.encode(row.values)
            commands.append([Array("EVAL".utf8), Array(Self.writeScript.utf8), Array("1".utf8), key(project, view, row.key),
                             Array(String(row.eventTime).utf8), Array((row.createdTime.map(String.init) ?? "").utf8), Array(values)])
        }
        var written = 0
        for chunk in stride(from: 0, to: commands.count, by: 1000) {
            for reply in try await connector.send(Array(commands[chunk..<min(chunk + 1000, commands.count)])) where reply == .integer(1) { written += 1 }
        }
        return written
    }

    public func read(project: String, view: String, keys: [String]) async throws -> [String: OnlineRow] {
        let replies = try await connector.send(keys.map { [Array("HMGET".utf8), key(project, view, $0), Array("e".utf8), Array("c".utf8), Array("v".utf8)] })
        var found: [String: OnlineRow] = [:]
        for (entity, reply) in zip(keys, replies) {
            guard case .array(let fields?) = reply, fields.count == 3, let event = fields[0].text.flatMap({ Int64($0) }),
                  case .bulk(let json?) = fields[2] else { continue }
            found[entity] = OnlineRow(key: entity, eventTime: event, createdTime: fields[1].text.flatMap { Int64($0) },
                                      values: try FeatureValue.storedValues(json))
        }
        return found
    }
}

/// The store's connection, opened again when Redis closed it (a restart, a timeout).
actor RedisConnector {
    let host: String
    let port: Int
    private var connection: RedisConnection?
    private var connecting: Task<RedisConnection, any Error>?

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    func send(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        try await current().send(commands)
    }

    /// The open connection, or a new one (callers arriving meanwhile wait for the same one).
    private func current() async throws -> RedisConnection {
        if let connection, connection.isActive { return connection }
        if let connecting { return try await connecting.value }
        let (host, port) = (self.host, self.port)
        let task = Task { try await RedisConnection.connect(host: host, port: port) }
        connecting = task
        defer { connecting = nil }
        let made = try await task.value
        let old = connection
        connection = made
        await old?.close()
        return made
    }
}
