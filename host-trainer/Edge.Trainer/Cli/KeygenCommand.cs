using System.CommandLine;
using Edge.Domain.IO;
using Edge.Domain.Models;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>keygen --out NAME</c>: a new ECDSA P-256 signing key: NAME.pem (private, PKCS#8) and NAME.pub.pem (for agents'
/// trust sets). Prints the key id that packages signed with it carry and that a revocation lists.
/// </summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Base path: writes <path>.pem (private) and "
            + "<path>.pub.pem (public); missing folders are created.", Required = true };
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
            WriteKey(privatePath, key.ExportPkcs8PrivateKeyPem(), isPrivate: true);
            try
            {
                WriteKey(publicPath, key.ExportSubjectPublicKeyInfoPem(), isPrivate: false);
            }
            catch
            {
                File.Delete(privatePath);
                throw;
            }

            var console = parse.InvocationConfiguration.Output;
            console.WriteLine($"private key: {privatePath}");
            console.WriteLine($"public key:  {publicPath}");
            console.WriteLine($"key id:      {PackageSigning.KeyId(key)}");
            return 0;
        });
        return command;
    }

    // The atomic write goes through a temporary file; errors name the key file, never that temporary name.
    private static void WriteKey(string path, string pem, bool isPrivate)
    {
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"Cannot write the key '{path}': cannot create the folder '{folder}': {e.Message}", e);
        }

        try
        {
            AtomicFile.WriteAllText(path, pem);
            if (isPrivate && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is UnauthorizedAccessException ? "permission denied" :
                "the folder cannot be written (read-only or full?)";
            throw new IOException($"Cannot write the key '{path}': {reason}.", e);
        }
    }
}
