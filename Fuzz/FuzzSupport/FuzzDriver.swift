#if LIBFUZZER
import CLibFuzzer
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The `main` of a fuzz target. Built by `Fuzz/run` (`-sanitize=fuzzer -D LIBFUZZER`), it hands
/// the command line to libFuzzer's driver; built plainly, it replays the files and folders
/// named on the command line through the same entry (a corpus, or a crash libFuzzer kept).
public enum FuzzDriver {
    public static func main(name: String, entry: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) throws {
        #if LIBFUZZER
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
        #else
        let count = try CorpusReplay.run(arguments: CommandLine.arguments.dropFirst()) { entry($0, $1) }
        print("\(name): \(count) inputs replayed, every property held")
        #endif
    }
}
