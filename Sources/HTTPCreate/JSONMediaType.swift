import Foundation
import Hummingbird

/// Whether a `Content-Type` names a JSON body this endpoint reads: `application/json`
/// (any case), whose `charset`, when given, is `utf-8`; other parameters (OData's
/// `odata.metadata=minimal`, say) are allowed.
///
/// Hummingbird's `MediaType` parses the type; it reads one parameter only, so the
/// parameters are split here.
func isUTF8JSON(contentType: String?) -> Bool {
    guard let contentType else { return false }
    let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
    guard let mediaType = MediaType(from: parts[0].trimmingCharacters(in: .whitespaces)),
        mediaType.type == .application, mediaType.subType == "json"
    else { return false }
    for parameter in parts.dropFirst() {
        let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, pair[0].lowercased() == "charset" else { continue }
        let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if value.lowercased() != "utf-8" { return false }
    }
    return true
}
