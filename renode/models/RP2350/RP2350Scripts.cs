// Shared by the RP2350 PythonPeripheral models for Renode: finds their script in renode/peripherals/ (namespace Python).
//
// Needed because PythonPeripheral's `filename` is opened relative to Renode's
// working directory (renode/renode#127), which under renode-test is Renode's own
// install directory, so `filename: "renode/peripherals/x.py"` in the .repl only
// works when Renode is started from this repository's root. Renode compiles each
// model from its absolute path (AdHocCompiler passes the path to the syntax tree),
// so [CallerFilePath] tells where renode/ is.

using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace Antmicro.Renode.Peripherals.Python
{
    public static class RP2350Scripts
    {
        /// Absolute path of renode/peripherals/&lt;name&gt;: next to renode/models/ of the
        /// calling .cs (renode/models/Python/x.cs, so three levels up), else under
        /// $RP2350_RENODE_DIR, else relative to the working directory.
        public static string Find(string name, [CallerFilePath] string compiledFrom = "")
        {
            var candidates = new[]
            {
                Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(compiledFrom)))) ?? ".", "peripherals", name),
                Path.Combine(Environment.GetEnvironmentVariable("RP2350_RENODE_DIR") ?? "", "peripherals", name),
                Path.Combine("renode", "peripherals", name),
            };
            foreach(var candidate in candidates)
            {
                if(File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
            throw new ArgumentException("RP2350 peripheral script " + name + " not found; looked at " + string.Join(", ", candidates));
        }
    }
}
