using System.CommandLine;
using Edge.Domain.IO;
using Edge.Domain.Models;

namespace Edge.Trainer.Cli;

/// <summary><c>keygen --out NAME</c>: a new ECDSA P-256 signing key: NAME.pem (private, PKCS#8) and NAME.pub.pem (for agents).</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Base path: writes <path>.pem (private) and <path>.pub.pem (public).", Required = true };
        var command = new Command("keygen", "Create an ECDSA P-256 key pair for signing model packages.") { output };
        command.SetAction(parse =>
        {
            var basePath = parse.GetRequiredValue(output).FullName;
            var privatePath = basePath + ".pem";
            var publicPath = basePath + ".pub.pem";
            foreach (var path in new[] { privatePath, publicPath })
            {
                if (File.Exists(path))
                {
                    throw new IOException($"'{path}' already exists; refusing to overwrite a key.");
                }
            }

            using var key = PackageSigning.CreateKey();
            AtomicFile.WriteAllText(privatePath, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            AtomicFile.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem());
            Console.WriteLine($"private key: {privatePath}");
            Console.WriteLine($"public key:  {publicPath}");
            return 0;
        });
        return command;
    }
}
