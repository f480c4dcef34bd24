/// Graph's DateTimeOffset text: `YYYY-MM-DDThh:mm:ss[.f{1,12}](Z|±hh:mm)` (the pattern of
/// Graph's OpenAPI description, upper-case `T` and `Z` only), naming a real date of the
/// proleptic Gregorian calendar in 0001–9999, hours 00–23, minutes and seconds 00–59,
/// offset minutes 00–59 and an offset within ±14:00.
enum DateTimeOffsetFormat {
    static func isValid(_ text: UnsafePointer<UInt8>, count: Int) -> Bool {
        // Shortest: 2021-01-01T00:00:00Z (20); longest: 19 + 13 fraction + 6 offset (38).
        guard count >= 20, count <= 38 else { return false }
        func number(_ offset: Int, _ digits: Int) -> Int? {
            var value = 0
            for index in offset..<offset + digits {
                let byte = text[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ offset: Int, is expected: Unicode.Scalar) -> Bool {
            text[offset] == UInt8(ascii: expected)
        }
        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
            let day = number(8, 2), byte(10, is: "T"), let hour = number(11, 2), byte(13, is: ":"),
            let minute = number(14, 2), byte(16, is: ":"), let second = number(17, 2)
        else { return false }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(month, year: year),
            hour <= 23, minute <= 59, second <= 59
        else { return false }

        var offset = 19
        if byte(offset, is: ".") {
            offset += 1
            let fractionStart = offset
            while offset < count, text[offset] >= UInt8(ascii: "0"), text[offset] <= UInt8(ascii: "9") {
                offset += 1
            }
            let fractionDigits = offset - fractionStart
            guard fractionDigits >= 1, fractionDigits <= 12 else { return false }
        }
        guard offset < count else { return false }
        if byte(offset, is: "Z") {
            return offset + 1 == count
        }
        guard byte(offset, is: "+") || byte(offset, is: "-"), offset + 6 == count,
            let offsetHours = number(offset + 1, 2), byte(offset + 3, is: ":"),
            let offsetMinutes = number(offset + 4, 2)
        else { return false }
        return offsetMinutes <= 59 && offsetHours * 60 + offsetMinutes <= 14 * 60
    }
}
