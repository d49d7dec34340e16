//! One output file written front to back, past the page cache once it is
//! large.
//!
//! A table's file is written in order and not read back by the run. Through
//! the page cache every byte is copied into kernel memory and written back
//! to disk later on the same cores; for a multi-gigabyte file that copy and
//! its writeback become a large part of the run (on our 2-core machines, a
//! 6.7 GB file cost 2-14 s of kernel time through the cache, depending on
//! how much of it had been touched before, and 0.7 s written direct).
//! So an [`OutFile`] writes its first [`DIRECT_AFTER`] bytes through the
//! cache like any file, then (on Linux, where the file system allows it)
//! reopens the file with `O_DIRECT` and writes aligned chunks of
//! [`CHUNK`] bytes straight to the device. The bytes are the same either
//! way; where direct writes are refused the file goes on through the cache.
//! Spools the run reads back (a table's SQL inserts: [`OutFile::spool`]; the
//! manifest's per-entity arrays) stay in the cache, and the files assembled
//! from them at the end (`data.sql`, `manifest.json`) are copied in the
//! kernel: at the end of a run nothing would overlap a wait for the disk.

use std::fs::File;
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bytes written through the page cache before a file goes direct: small
/// and medium files (every test, fixture and quick run) never do.
pub const DIRECT_AFTER: u64 = 64 << 20;

/// Bytes a direct write takes at a time.
pub const CHUNK: usize = 8 << 20;

/// Bytes kept between writes while a file goes through the cache.
const CACHED_CHUNK: usize = 1 << 20;

/// Offsets, lengths and buffer addresses of direct writes are multiples of
/// this (the largest logical block size of common devices).
const ALIGN: usize = 4096;

/// A file written in order through a buffer, direct once it is large (see
/// the module docs).
///
/// [`Write::flush`] writes the buffered bytes while the file goes through
/// the cache; once it is direct, bytes wait for a whole aligned chunk, so
/// [`OutFile::finish`] writes the last of them and reports any error
/// (dropping it writes them too, ignoring errors).
pub struct OutFile {
    path: PathBuf,
    /// Opened for reading too: going direct rereads the partial block
    /// before the switch.
    cached: File,
    direct: Option<File>,
    /// Whether going direct was tried (once per file).
    tried: bool,
    mem: Vec<u8>,
    /// Where the buffered bytes start in `mem` (aligned in direct mode).
    start: usize,
    len: usize,
    cap: usize,
    /// The file offset of the first buffered byte.
    at: u64,
    /// The threshold (a field so tests can go direct early).
    direct_after: u64,
}

impl std::fmt::Debug for OutFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OutFile({}, {} bytes, {})",
            self.path.display(),
            self.at + self.len as u64,
            if self.direct.is_some() {
                "direct"
            } else {
                "cached"
            }
        )
    }
}

impl OutFile {
    /// Creates (or truncates) the file at `path`.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        Self::with_threshold(path, DIRECT_AFTER)
    }

    /// Creates (or truncates) a spool at `path`: a file the run reads back
    /// (into its final file), so it stays in the page cache whatever its
    /// size.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn spool(path: &Path) -> std::io::Result<Self> {
        Self::with_threshold(path, u64::MAX)
    }

    fn with_threshold(path: &Path, direct_after: u64) -> std::io::Result<Self> {
        let cached = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        Ok(OutFile {
            path: path.to_path_buf(),
            cached,
            direct: None,
            tried: false,
            mem: Vec::new(),
            start: 0,
            len: 0,
            cap: CACHED_CHUNK,
            at: 0,
            direct_after,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is being written direct.
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// Writes every buffered byte and closes the file.
    ///
    /// # Errors
    /// A failed write.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.drain(false)
    }

    /// The free part of the buffer, drained first when it is full.
    fn room(&mut self) -> std::io::Result<&mut [u8]> {
        if self.len == self.cap {
            self.drain(true)?;
        }
        if self.mem.len() < self.start + self.cap {
            self.mem.resize(self.start + self.cap, 0);
        }
        Ok(&mut self.mem[self.start + self.len..self.start + self.cap])
    }

    /// Writes the buffered bytes at their offset: an aligned chunk direct
    /// when the file is, anything else through the cache. With `more`
    /// (bytes will follow), a file past the threshold goes direct.
    fn drain(&mut self, more: bool) -> std::io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        let bytes = &self.mem[self.start..self.start + self.len];
        let aligned = self.at.is_multiple_of(ALIGN as u64) && self.len.is_multiple_of(ALIGN);
        let mut done = false;
        if let Some(d) = self.direct.as_ref().filter(|_| aligned) {
            match write_at(d, bytes, self.at) {
                Ok(()) => done = true,
                // The file system took the open but refuses the writes: the
                // rest goes through the cache.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => self.direct = None,
                Err(e) => return Err(e),
            }
        }
        if !done {
            write_at(&self.cached, bytes, self.at)?;
        }
        let n = self.len;
        self.len = 0;
        self.advance(n, more);
        Ok(())
    }

    /// Moves past `n` bytes written at the offset; with `more`, a file past
    /// the threshold goes direct (a file that cannot, because the block
    /// before the offset cannot be read back, stays in the cache: going
    /// direct saves time, it is never needed).
    fn advance(&mut self, n: usize, more: bool) {
        self.at += n as u64;
        if more && !self.tried && self.at >= self.direct_after {
            self.tried = true;
            let _ = self.go_direct();
        }
    }

    /// Reopens the file for direct writes, if the platform and file system
    /// allow them; the partial block before the current offset is read back
    /// into the buffer, so every direct write starts on a block.
    fn go_direct(&mut self) -> std::io::Result<()> {
        let Some(direct) = open_direct(&self.path) else {
            return Ok(());
        };
        let head = (self.at % ALIGN as u64) as usize;
        let mut block = [0u8; ALIGN];
        read_at(&self.cached, &mut block[..head], self.at - head as u64)?;
        // Room for a chunk at an aligned address, starting with the block.
        self.mem = vec![0; CHUNK + ALIGN];
        self.start = (ALIGN - self.mem.as_ptr() as usize % ALIGN) % ALIGN;
        self.cap = CHUNK;
        self.mem[self.start..self.start + head].copy_from_slice(&block[..head]);
        self.at -= head as u64;
        self.len = head;
        self.direct = Some(direct);
        Ok(())
    }
}

impl Drop for OutFile {
    /// Writes what is still buffered, best effort (a dropped file is one
    /// whose run failed; [`OutFile::finish`] reports errors).
    fn drop(&mut self) {
        let _ = self.drain(false);
    }
}

impl Write for OutFile {
    /// Buffers what fits (draining a full buffer first, so an error means
    /// nothing of `buf` was taken), or writes a large `buf` whole while the
    /// file goes through the cache.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.direct.is_none() && self.len == 0 && buf.len() >= self.cap {
            // Through the cache, a large write goes straight to the file
            // (as `BufWriter` does): no copy into the buffer.
            write_at(&self.cached, buf, self.at)?;
            self.advance(buf.len(), true);
            return Ok(buf.len());
        }
        let room = self.room()?;
        let n = room.len().min(buf.len());
        room[..n].copy_from_slice(&buf[..n]);
        self.len += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.direct.is_none() {
            self.drain(true)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_at(f: &File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    f.write_all_at(bytes, at)
}

#[cfg(unix)]
fn read_at(f: &File, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
    f.read_exact_at(bytes, at)
}

#[cfg(not(unix))]
fn write_at(mut f: &File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    f.seek(SeekFrom::Start(at))?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn read_at(mut f: &File, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(bytes)
}

/// The file opened again for direct writes (`None`: not on this platform or
/// file system).
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_: &Path) -> Option<File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that show any misplaced or lost byte.
    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 4099) as u8).collect()
    }

    fn write_in_pieces(f: &mut OutFile, data: &[u8], piece: usize) {
        for p in data.chunks(piece) {
            f.write_all(p).unwrap();
            // The Parquet writer flushes after every column chunk.
            f.flush().unwrap();
        }
    }

    #[test]
    fn the_bytes_are_the_bytes_written_cached_or_direct() {
        let dir = tempfile::tempdir().unwrap();
        // Going direct at an unaligned offset (1 MiB + 3 bytes), chunks
        // of odd sizes, a tail shorter than a block.
        let data = pattern(3 * CHUNK + 5 * ALIGN + 17);
        for (threshold, piece) in [(0, 1 << 20), ((1 << 20) + 3, 333_333), (u64::MAX, 70_001)] {
            let path = dir.path().join(format!("t{threshold}"));
            let mut f = OutFile::with_threshold(&path, threshold).unwrap();
            write_in_pieces(&mut f, &data, piece);
            let direct = f.is_direct();
            // Direct where the file system takes it (ext4 and xfs do,
            // tmpfs does not), never below the threshold.
            let can = open_direct(&path).is_some();
            f.finish().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), data, "threshold {threshold}");
            assert_eq!(
                direct,
                can && threshold != u64::MAX,
                "threshold {threshold}"
            );
        }
    }

    /// Writes `data` to a new file `name` in `dir` with the given
    /// threshold (pieces of `piece` bytes, each flushed), ends it by
    /// `finish` or by dropping it, and checks the file holds `data`;
    /// returns whether it was direct before it ended.
    fn written(
        dir: &Path,
        name: &str,
        threshold: u64,
        data: &[u8],
        piece: usize,
        finish: bool,
    ) -> bool {
        let path = dir.join(name);
        let mut f = OutFile::with_threshold(&path, threshold).unwrap();
        write_in_pieces(&mut f, data, piece);
        let direct = f.is_direct();
        if finish {
            f.finish().unwrap();
        } else {
            drop(f);
        }
        assert_eq!(std::fs::read(&path).unwrap(), data, "{name}");
        direct
    }

    #[test]
    fn a_file_on_tmpfs_is_written_whole() {
        // Older kernels' tmpfs refuses O_DIRECT at open (the file goes on
        // through the cache); since Linux 6.6 it takes it.
        let Ok(dir) = tempfile::tempdir_in("/dev/shm") else {
            return;
        };
        let direct = written(
            dir.path(),
            "shm",
            0,
            &pattern(2 * CHUNK + 100),
            1 << 20,
            true,
        );
        assert_eq!(direct, open_direct(&dir.path().join("shm")).is_some());
    }

    #[test]
    fn a_file_crossing_the_threshold_at_its_end_is_finished_cached() {
        // Buffered (shorter than the buffer, no flush), then past the
        // threshold only in `finish`, which does not go direct.
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(CACHED_CHUNK - 10);
        let path = dir.path().join("end");
        let mut f = OutFile::with_threshold(&path, 5).unwrap();
        assert_eq!(f.write(&data).unwrap(), data.len());
        f.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), data);
    }

    #[test]
    fn dropping_a_file_writes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        written(
            dir.path(),
            "dropped",
            0,
            &pattern(CHUNK + 3 * ALIGN + 1),
            1 << 16,
            false,
        );
    }

    #[test]
    fn a_small_file_stays_cached() {
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(3 * CACHED_CHUNK + 1);
        assert!(!written(
            dir.path(),
            "small",
            DIRECT_AFTER,
            &data,
            4096,
            true
        ));
    }
}
