import Foundation

/// Realistic creation events for the demo, benchmarks and tests: the API
/// page's example body with varied values and 1–5 accounts, and invalid
/// bodies of several kinds. Deterministic: event `n` is always the same bytes.
public enum SampleEvents {
    /// A valid POST body, different for every `index`.
    public static func valid(_ index: Int) -> [UInt8] {
        let accountCount = 1 + index % 5
        var accounts: [String] = []
        for account in 0..<accountCount {
            accounts.append(
                #"{"@odata.type":"microsoft.graph.userAccount","displayName":"User \#(index)-\#(account)","#
                    + #""lastSeenDateTime":"2026-0\#(1 + account % 9)-1\#(index % 10)T0\#(index % 10):1\#(account):5\#(index % 10).\#(1_000_000 + index % 9_000_000)Z","#
                    + #""riskScore":"\#(index % 100)","service":"Service \#(account)","signinName":"user\#(index)@contoso.com","status":"Active"}"#
            )
        }
        let body =
            ##"{"@odata.type":"#microsoft.graph.userSecurityProfile","accounts":[\##(accounts.joined(separator: ","))],"##
            + #""azureSubscriptionId":"subscription-\#(index % 17)","azureTenantId":"tenant-\#(index % 7)","#
            + #""displayName":"Profile \#(index)","riskScore":"\#(index % 100)","tags":["tag-\#(index % 3)","vendor-feed"],"#
            + #""userPrincipalName":"user\#(index)@contoso.com","vendorInformation":{"@odata.type":"microsoft.graph.securityVendorInformation","#
            + #""provider":"Provider \#(index % 4)","providerVersion":"2.\#(index % 10)","subProvider":"Sub \#(index % 5)","vendor":"Vendor \#(index % 3)"}}"#
        return Array(body.utf8)
    }

    /// A valid POST body of exactly `size` bytes: event `index` with its `displayName`
    /// lengthened. A size below the event's own gives the event unchanged.
    public static func valid(_ index: Int, size: Int) -> [UInt8] {
        let body = valid(index)
        let name = Array(#""displayName":"Profile "#.utf8)
        guard size > body.count, let start = body.firstRange(of: name) else { return body }
        var padded = body
        padded.insert(contentsOf: repeatElement(UInt8(ascii: "x"), count: size - body.count), at: start.upperBound)
        return padded
    }

    /// The kinds of invalid event `invalid(_:)` cycles through.
    public static let invalidKinds = [
        "missing azureTenantId", "wrong type", "impossible date", "id sent", "not JSON", "unknown property",
        "empty body",
    ]

    /// An invalid POST body of kind `invalidKinds[index % invalidKinds.count]`.
    public static func invalid(_ index: Int) -> [UInt8] {
        let valid = String(decoding: valid(index), as: UTF8.self)
        let body: String =
            switch index % invalidKinds.count {
            case 0: valid.replacingFirst(#""azureTenantId":"tenant-\#(index % 7)","#, with: "")
            case 1:
                valid.replacingFirst(
                    #""riskScore":"\#(index % 100)","tags""#, with: #""riskScore":\#(index % 100),"tags""#)
            case 2:
                valid.replacingFirst(
                    #""displayName":"Profile"#,
                    with: #""createdDateTime":"2021-02-29T00:00:00Z","displayName":"Profile"#)
            case 3: valid.replacingFirst(#""accounts":"#, with: #""id":"\#(index)","accounts":"#)
            case 4: "profile \(index), not JSON"
            case 5: valid.replacingFirst(#""tags":"#, with: #""color":"blue","tags":"#)
            default: ""
            }
        return Array(body.utf8)
    }

    /// Event `index` of a mix where one event in `invalidEvery` is invalid.
    public static func mixed(_ index: Int, invalidEvery: Int = 10) -> (body: [UInt8], isValid: Bool) {
        index % invalidEvery == invalidEvery - 1 ? (invalid(index / invalidEvery), false) : (valid(index), true)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { preconditionFailure("sample template lacks \(target)") }
        return replacingCharacters(in: range, with: replacement)
    }
}
