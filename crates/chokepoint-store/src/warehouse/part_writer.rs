//! A Parquet part written on its own thread, so parsing the next rows and encoding the
//! last batch overlap (two cores: about twice the ingest speed of doing both in turn).
//!
//! The channel holds at most [`IN_FLIGHT`] batches: a slow disk makes the reader wait
//! instead of queueing rows, which keeps ingest memory bounded.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::array::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::metadata::KeyValue;

use super::files;
use crate::StoreError;
use crate::schema::trade_schema;

/// Batches queued between the reader and the writer thread.
const IN_FLIGHT: usize = 2;

enum Message {
    Batch(RecordBatch),
    Finish(Option<(String, String)>),
}

/// A `trade` part being written in the background.
pub struct PartWriter {
    path: PathBuf,
    sender: Option<SyncSender<Message>>,
    handle: Option<JoinHandle<Result<(), StoreError>>>,
}

impl PartWriter {
    /// Creates the file and starts the writer thread.
    pub fn create(path: &Path) -> Result<PartWriter, StoreError> {
        let file = std::fs::File::create(path).map_err(|e| StoreError::io(path, e))?;
        let writer =
            ArrowWriter::try_new(file, trade_schema(), Some(files::writer_properties(None)))
                .map_err(|e| StoreError::parquet(path, e))?;
        let (sender, receiver) = sync_channel(IN_FLIGHT);
        let p = path.to_path_buf();
        let handle = std::thread::Builder::new()
            .name("parquet-writer".into())
            .spawn(move || run(writer, receiver, &p))
            .map_err(|e| StoreError::io(path, e))?;
        Ok(PartWriter {
            path: path.to_path_buf(),
            sender: Some(sender),
            handle: Some(handle),
        })
    }

    /// Queues a batch; waits while the writer is [`IN_FLIGHT`] batches behind.
    pub fn write(&mut self, batch: RecordBatch) -> Result<(), StoreError> {
        let sent = self
            .sender
            .as_ref()
            .is_some_and(|s| s.send(Message::Batch(batch)).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread stopped early: its error says why.
            self.join().and(Err(StoreError::io(
                &self.path,
                std::io::Error::other("parquet writer stopped"),
            )))
        }
    }

    /// Writes the footer (with an optional key-value entry) and closes the file.
    pub fn finish(mut self, metadata: Option<(String, String)>) -> Result<(), StoreError> {
        if let Some(s) = self.sender.take() {
            let _ = s.send(Message::Finish(metadata));
        }
        self.join()
    }

    fn join(&mut self) -> Result<(), StoreError> {
        self.sender = None;
        match self.handle.take() {
            Some(h) => h.join().unwrap_or_else(|_| {
                Err(StoreError::io(
                    &self.path,
                    std::io::Error::other("parquet writer thread panicked"),
                ))
            }),
            None => Ok(()),
        }
    }
}

impl Drop for PartWriter {
    fn drop(&mut self) {
        // Dropping without `finish` (an error elsewhere): stop the thread, keep no result.
        let _ = self.join();
    }
}

fn run(
    mut writer: ArrowWriter<std::fs::File>,
    receiver: Receiver<Message>,
    path: &Path,
) -> Result<(), StoreError> {
    for message in receiver {
        match message {
            Message::Batch(b) => writer.write(&b).map_err(|e| StoreError::parquet(path, e))?,
            Message::Finish(metadata) => {
                if let Some((k, v)) = metadata {
                    writer.append_key_value_metadata(KeyValue::new(k, v));
                }
                writer.close().map_err(|e| StoreError::parquet(path, e))?;
                return Ok(());
            }
        }
    }
    // Channel closed without Finish: abandoned; the staged file is removed by the caller.
    Ok(())
}
