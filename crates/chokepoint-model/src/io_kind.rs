//! Which I/O failures the user can fix: the one list the store's errors and the binary's
//! exit codes share (exit 2 and an HTTP 4xx for these, 1 for the rest).

use std::io::ErrorKind;

/// True for an I/O error about a path the user named or a disk the user can free: a file
/// missing or existing, a folder where a file was asked for (or the reverse), no
/// permission, a read-only or full disk, a name the file system refuses.
pub fn io_error_is_users(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::NotFound
            | ErrorKind::PermissionDenied
            | ErrorKind::AlreadyExists
            | ErrorKind::IsADirectory
            | ErrorKind::NotADirectory
            | ErrorKind::ReadOnlyFilesystem
            | ErrorKind::StorageFull
            | ErrorKind::QuotaExceeded
            | ErrorKind::InvalidFilename
    )
}
