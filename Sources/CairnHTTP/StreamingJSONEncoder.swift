/// An `Encoder` that writes JSON bytes as it goes, for response bodies. Foundation's JSONEncoder
/// first builds a tree of boxed values and then serialises it, which dominated the time of large
/// answers (metric histories, run searches). Output follows MLflow's server: nil optionals are
/// omitted, NaN and infinities are the strings "NaN", "Infinity" and "-Infinity", and doubles
/// use the shortest form that reads back exactly.
public enum StreamingJSONEncoder {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let output = Output()
        try output.write(value, codingPath: [])
        return output.json.bytes
    }

    /// The encoder for one value: opens at most one container and closes it when the value is done.
    final class ValueEncoder: Encoder {
        enum Opened { case none, keyed, unkeyed, single }

        let output: Output
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        var opened = Opened.none
        /// Elements written so far into the open container (for commas).
        var count = 0
        /// Nested containers handed out by this encoder's containers and not yet closed. They are
        /// closed, in order, before this encoder writes its next element or its own closer, which is
        /// right for the usual sequential use (finish a nested container, then go on).
        var openChildren: [ValueEncoder] = []

        init(output: Output, codingPath: [any CodingKey]) {
            self.output = output
            self.codingPath = codingPath
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if opened == .none {
                opened = .keyed
                output.json.bytes.append(UInt8(ascii: "{"))
            }
            return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if opened == .none {
                opened = .unkeyed
                output.json.bytes.append(UInt8(ascii: "["))
            }
            return UnkeyedContainer(encoder: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            opened = .single
            return SingleContainer(encoder: self)
        }

        /// Writes the comma before every element but the first.
        func separator() {
            closeChildren()
            if count > 0 { output.json.bytes.append(UInt8(ascii: ",")) }
            count += 1
        }

        func closeChildren() {
            for child in openChildren { child.close() }
            openChildren.removeAll()
        }

        /// A child encoder for a nested container or super-encoder, closed by `closeChildren`.
        func child(codingPath: [any CodingKey]) -> ValueEncoder {
            let child = ValueEncoder(output: output, codingPath: codingPath)
            openChildren.append(child)
            return child
        }

        func close() {
            closeChildren()
            switch opened {
            case .keyed: output.json.bytes.append(UInt8(ascii: "}"))
            case .unkeyed: output.json.bytes.append(UInt8(ascii: "]"))
            case .none: output.json.append("{}")  // a type that encodes nothing is an empty object
            case .single: break
            }
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: ValueEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        private func key(_ key: Key) {
            encoder.separator()
            encoder.output.json.writeString(key.stringValue)
            encoder.output.json.bytes.append(UInt8(ascii: ":"))
        }

        mutating func encodeNil(forKey key: Key) throws {
            self.key(key)
            encoder.output.json.append("null")
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            self.key(key)
            try encoder.output.write(value, codingPath: codingPath + [key])
        }

        // Concrete overloads: synthesized `encode(to:)` calls these for leaf fields, which skips
        // the generic path's dynamic casts on the hot loop of large responses.
        mutating func encode(_ value: String, forKey key: Key) throws {
            self.key(key)
            encoder.output.json.writeString(value)
        }

        mutating func encode(_ value: Int64, forKey key: Key) throws {
            self.key(key)
            encoder.output.json.append(String(value))
        }

        mutating func encode(_ value: Int, forKey key: Key) throws {
            self.key(key)
            encoder.output.json.append(String(value))
        }

        mutating func encode(_ value: Double, forKey key: Key) throws {
            self.key(key)
            encoder.output.json.writeDouble(value)
        }

        mutating func encode(_ value: Bool, forKey key: Key) throws {
            self.key(key)
            encoder.output.json.append(value ? "true" : "false")
        }

        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }

        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }

        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }

        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            self.key(key)
            return encoder.child(codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            self.key(key)
            return encoder.child(codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            self.key(key)
            return encoder.child(codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: ValueEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        var count: Int { encoder.count }

        mutating func encodeNil() throws {
            encoder.separator()
            encoder.output.json.append("null")
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.separator()
            try encoder.output.write(value, codingPath: codingPath)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            encoder.separator()
            return encoder.child(codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.separator()
            return encoder.child(codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            encoder.separator()
            return encoder.child(codingPath: codingPath)
        }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let encoder: ValueEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.output.json.append("null") }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try encoder.output.write(value, codingPath: codingPath)
        }
    }
}

extension StreamingJSONEncoder {
    /// The bytes written so far, shared by the encoders of one value's parts.
    final class Output {
        var json = JSONWriter()

        /// A value through the encoder: common leaf types directly, anything else by its `encode(to:)`.
        func write(_ value: some Encodable, codingPath: [any CodingKey]) throws {
            if writePrimitive(value) { return }
            let encoder = ValueEncoder(output: self, codingPath: codingPath)
            try value.encode(to: encoder)
            encoder.close()
        }

        /// Writes common leaf types directly, without going through an encoder. Comparing metatypes
        /// first keeps the common miss (a nested message) cheap: no dynamic cast is attempted.
        func writePrimitive<T: Encodable>(_ value: T) -> Bool {
            if T.self == String.self { json.writeString(value as! String) }
            else if T.self == Int64.self { json.writeInt(value as! Int64) }
            else if T.self == Int.self { json.append(String(value as! Int)) }
            else if T.self == Double.self { json.writeDouble(value as! Double) }
            else if T.self == Bool.self { json.writeBool(value as! Bool) }
            // Arrays of numbers (tensors, metric values) without an encoder per element.
            else if T.self == [Double].self { json.writeArray(value as! [Double]) { $0.writeDouble($1) } }
            else if T.self == [Int64].self { json.writeArray(value as! [Int64]) { $0.writeInt($1) } }
            else if T.self == [Bool].self { json.writeArray(value as! [Bool]) { $0.writeBool($1) } }
            else if T.self == [String].self { json.writeArray(value as! [String]) { $0.writeString($1) } }
            else { return false }
            return true
        }
    }
}
