/// Graph's DateTimeOffset text: `YYYY-MM-DDThh:mm:ss[.f{1,12}](Z|±hh:mm)` (the pattern of
/// Graph's OpenAPI description, upper-case `T` and `Z` only), naming a real date of the
/// proleptic Gregorian calendar in 0001–9999, hours 00–23, minutes and seconds 00–59,
/// offset minutes 00–59 and an offset within ±14:00.
enum DateTimeOffsetFormat {
    static func isValid(_ text: UnsafePointer<UInt8>, count: Int) -> Bool {
        // Shortest: 2021-01-01T00:00:00Z (20); longest: 19 + 13 fraction + 6 offset (38).
        guard count >= 20, count <= 38 else { return false }
        // Digits are read without a branch each; any byte that is not a digit sets `notDigits`.
        var notDigits = false
        func digit(_ offset: Int) -> Int {
            let value = Int(text[offset]) &- 0x30
            notDigits = notDigits || UInt(bitPattern: value) > 9
            return value
        }
        func number(_ offset: Int) -> Int { digit(offset) &* 10 &+ digit(offset + 1) }
        let year = number(0) &* 100 &+ number(2)
        let month = number(5)
        let day = number(8)
        let hour = number(11)
        let minute = number(14)
        let second = number(17)
        guard !notDigits, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":")
        else { return false }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(month, year: year),
            hour <= 23, minute <= 59, second <= 59
        else { return false }

        var offset = 19
        if text[offset] == UInt8(ascii: ".") {
            offset += 1
            let fractionStart = offset
            while offset < count, text[offset] >= UInt8(ascii: "0"), text[offset] <= UInt8(ascii: "9") {
                offset += 1
            }
            let fractionDigits = offset - fractionStart
            guard fractionDigits >= 1, fractionDigits <= 12 else { return false }
        }
        guard offset < count else { return false }
        if text[offset] == UInt8(ascii: "Z") {
            return offset + 1 == count
        }
        guard text[offset] == UInt8(ascii: "+") || text[offset] == UInt8(ascii: "-"), offset + 6 == count else {
            return false
        }
        let offsetHours = number(offset + 1)
        let offsetMinutes = number(offset + 4)
        guard !notDigits, text[offset + 3] == UInt8(ascii: ":") else { return false }
        return offsetMinutes <= 59 && offsetHours * 60 + offsetMinutes <= 14 * 60
    }
}
