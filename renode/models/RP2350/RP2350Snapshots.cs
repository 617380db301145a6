// Shared by the RP2350 models for Renode: lets `Load` find them in a Renode that did not save the snapshot.
//
// Why: Renode compiles the models ad hoc into an assembly named after a fresh
// GUID (AdHocCompiler: "<guid>.tmp" on mono, "<guid>.dll" on .NET), and a
// snapshot names every type with its assembly. A new Renode process compiles the
// same sources under another GUID, so `Load` cannot resolve the saved name and
// reports the snapshot as incompatible. Once these models are loaded (any machine
// built from the platform), an unresolvable assembly with such a GUID name
// resolves to this assembly; Migrant then checks every type's fields as usual, so
// a snapshot of other sources still fails to load.

using System;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Antmicro.Renode.Peripherals.RP2350
{
    public static class RP2350Snapshots
    {
        /// Install the resolver (once per process).
        public static void EnsureResolver()
        {
            lock(Sync)
            {
                if(installed)
                {
                    return;
                }
                installed = true;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            }
        }

        /// This assembly if `requested` is a Renode ad-hoc compilation's name, else null.
        public static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            return AdHocName.IsMatch(name) ? typeof(RP2350Snapshots).Assembly : null;
        }

        private static bool installed;
        private static readonly object Sync = new object();
        private static readonly Regex AdHocName = new Regex(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\\.tmp|\\.dll)?$");
    }
}
