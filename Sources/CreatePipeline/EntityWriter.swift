/// Writes the `201` entity: compact JSON in the contract's property order, assembled from
/// the validated body's own bytes (values are echoed, never re-encoded).
///
/// Layout: `{"@odata.type":"#microsoft.graph.userSecurityProfile","id":"<36>","accounts":`
/// has a fixed length, so the validator writes the accounts value right after it while it
/// reads the body; this writer fills in the prefix and appends the other properties.
struct EntityWriter {
    let lexer: JSONLexer
    var output: OutputCursor

    private static let prefixBeforeID: StaticString = ##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":""##
    private static let prefixAfterID: StaticString = #"","accounts":"#

    /// Where the accounts value starts in the entity.
    static let accountsOffset =
        prefixBeforeID.utf8CodeUnitCount + UUIDBytes.formattedLength + prefixAfterID.utf8CodeUnitCount

    /// An upper bound of how much longer the entity can be than the body: the added
    /// `@odata.type` and `id` members, separators, and both timestamps when not sent.
    /// Everything else is copied from the body or shorter than it: whitespace, dropped
    /// annotations and escapes in names are not copied, member names are never longer than
    /// in the body, and nothing is written for a duplicate member or an invalid item.
    static let maximumGrowth = 512

    /// Writes the entity around the accounts value already at `accountsOffset`
    /// (`accountsLength` bytes). `spans` are the root's values; `vendorSpans` the members of
    /// its `vendorInformation`.
    mutating func writeEntity(
        spans: UnsafeMutableBufferPointer<ValueSpan>, vendorSpans: UnsafeMutableBufferPointer<ValueSpan>,
        accountsLength: Int, id: UUIDBytes, eventTime: GraphTimestamp
    ) {
        precondition(output.count == 0)
        output.append(Self.prefixBeforeID)
        output.write(count: UUIDBytes.formattedLength) { id.write(into: $0) }
        output.append(Self.prefixAfterID)
        output.skip(accountsLength)  // written by the validator
        let properties = EntitySchema.userSecurityProfile.properties
        var eventTimeOffset: Int?  // where the event time was first written, to copy it from
        for index in (EntitySchema.Root.accounts + 1)..<EntitySchema.Root.outputCount {
            output.appendMember(named: properties[index].name, first: false)
            let span = spans[index]
            switch index {
            case EntitySchema.Root.createdDateTime, EntitySchema.Root.lastModifiedDateTime:
                if span.isAbsentOrNull {
                    output.append("\"")
                    if let eventTimeOffset {
                        output.append(output.base + eventTimeOffset, count: GraphTimestamp.formattedLength)
                    } else {
                        eventTimeOffset = output.count
                        output.write(count: GraphTimestamp.formattedLength) { eventTime.write(into: $0) }
                    }
                    output.append("\"")
                } else {
                    copy(span)
                }
            case EntitySchema.Root.vendorInformation where span.kind == .object:
                Self.writeObject(
                    of: EntitySchema.securityVendorInformation, members: vendorSpans, from: lexer, to: &output)
            case EntitySchema.Root.tags where span.kind == .array:
                copyCompactly(span)
            default:
                copy(span)
            }
        }
        output.append("}")
    }

    private mutating func copy(_ span: ValueSpan) {
        output.append(lexer, from: span.start, to: span.end)
    }

    /// Copies a validated array of strings without insignificant whitespace.
    private mutating func copyCompactly(_ span: ValueSpan) {
        var offset = span.start
        while offset < span.end {
            let byte = lexer[offset]
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                offset += 1
            case UInt8(ascii: "\""):
                let stringEnd = lexer.endOfValidString(at: offset)
                output.append(lexer, from: offset, to: stringEnd)
                offset = stringEnd
            default:
                output.append(byte)
                offset += 1
            }
        }
    }

    /// Writes a `type` object from its recorded members (indexed like the type's properties,
    /// `@odata.type` last): `@odata.type` first when sent, then the declared properties
    /// present, in declared order. Member values are strings or null, copied as sent.
    static func writeObject(
        of type: ComplexType, members: UnsafeMutableBufferPointer<ValueSpan>, from lexer: JSONLexer,
        to output: inout OutputCursor
    ) {
        output.append("{")
        var first = true
        let odataType = members[type.properties.count]
        if odataType.kind != .absent {
            output.append(#""@odata.type":"#)
            output.append(lexer, from: odataType.start, to: odataType.end)
            first = false
        }
        for index in type.properties.indices where members[index].kind != .absent {
            output.appendMember(named: type.properties[index].name, first: first)
            first = false
            output.append(lexer, from: members[index].start, to: members[index].end)
        }
        output.append("}")
    }
}
