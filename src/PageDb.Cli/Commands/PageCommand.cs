using System.CommandLine;
using PageDb.Cli.Pages;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine.Sharing;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb page &lt;db&gt; &lt;n&gt;</c>: decodes page n as the database file holds it (read-only; changes still only in
/// the WAL are not shown until a checkpoint copies them). Beside a writing process it holds a reader slot that holds
/// every checkpoint back while it reads, so the page is never read half-copied.
/// </summary>
internal static class PageCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var number = new Argument<uint>("n") { Description = "The page number (0 is the file header)" };
        var command = new Command("page", "Decode one page of the database file: header, cell pointers, freeblocks, cells, links")
        {
            db, number,
        };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!, r.GetValue(number))));
        return command;
    }

    private static int Execute(CliContext context, string path, uint number)
    {
        DatabaseOpener.RequireExisting(path);
        using ProcessSharing slot = ProcessSharing.Join(FileStorage.Instance, path, new PageDbOptions { ReadOnly = true, CreateIfMissing = false });
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadOnly);
        if (number >= file.PageCount)
            throw new CliException($"page {number} is past the end of the file ({file.PageCount} pages)");
        byte[] page = new byte[file.PageSize];
        file.ReadPage(new PageNumber(number), page);
        PageDecoder.Write(context.Out, page, file.FormatVersion, file.Path);
        return ExitCodes.Ok;
    }
}
