using System.CommandLine;
using PageDb.Cli.Pages;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb page &lt;db&gt; &lt;n&gt;</c>: decodes page n as the database file holds it (read-only, no lock; changes
/// still only in the WAL are not shown until a checkpoint copies them).
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
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, DatabaseOpener.RequireExisting(path), StorageOpenMode.ReadOnly);
        if (number >= file.PageCount)
            throw new CliException($"page {number} is past the end of the file ({file.PageCount} pages)");
        byte[] page = new byte[file.PageSize];
        file.ReadPage(new PageNumber(number), page);
        PageDecoder.Write(context.Out, page, file.Path);
        return ExitCodes.Ok;
    }
}
