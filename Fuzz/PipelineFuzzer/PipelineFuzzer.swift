import CreatePipeline
import Foundation
import FuzzSupport

/// libFuzzer's entry (`Fuzz/run pipeline` builds this target with `-sanitize=fuzzer`): one
/// input is one request body. Traps when the pipeline breaks a promise, so libFuzzer keeps
/// the input as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    PipelineProperties.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// What must hold for any body: the same answer twice; an entity that is a JSON object
/// starting with the entity type and id, whose `azureTenantId` and vendor are the ones the
/// pipeline reports; or a 400/413 whose body is a JSON object with at most 100 details.
enum PipelineProperties {
    /// A small limit, so that libFuzzer reaches the 413 path too.
    static let pipeline = CreatePipeline(maximumBodySize: 65_536)
    static let context = CreateContext(
        idempotencyBasis: .named("fuzz"), eventTime: GraphTimestamp(unixMilliseconds: 1_700_000_000_000),
        requestID: "00000000-0000-0000-0000-00000000f022",
        responseTime: GraphTimestamp(unixMilliseconds: 1_700_000_000_000))

    static func check(_ body: UnsafeRawBufferPointer) {
        switch (pipeline.create(body, context: context), pipeline.create(body, context: context)) {
        case (.created(let entity), .created(let again)):
            require(entity.body == again.body && entity.id == again.id, "the same body gave two entities")
            let prefix = ##"{"@odata.type":"#microsoft.graph.userSecurityProfile","id":"\##(entity.id)","##
            require(entity.body.starts(with: Array(prefix.utf8)), "the entity does not start with its type and id")
            guard let object = jsonObject(entity.body) else { fail("the entity is not a JSON object") }
            require(
                object["azureTenantId"] as? String == entity.azureTenantId, "azureTenantId differs from the entity's")
            let vendor = (object["vendorInformation"] as? [String: Any])?["vendor"] as? String
            require(vendor == entity.vendor, "the vendor differs from the entity's")
        case (.rejected(let error), .rejected(let again)):
            require(error == again, "the same body gave two errors")
            require(error.status == 400 || error.status == 413, "status \(error.status) for a body")
            require(error.details.count <= CreatePipeline.maximumDetailCount, "too many details")
            require(jsonObject(error.body(context: context)) != nil, "the error body is not a JSON object")
        default:
            fail("the same body was accepted once and rejected once")
        }
    }

    private static func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}

@main
struct FuzzMain {
    static func main() throws {
        try FuzzDriver.main(name: "usp-fuzz-pipeline", entry: fuzzPipeline)
    }
}
