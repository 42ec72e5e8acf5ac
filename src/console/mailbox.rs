//! The store worker's mailbox: messages from the console, the record walk
//! and the server listener, each followed by a ring of a doorbell (an
//! eventfd). The worker waits for the doorbell and for the database
//! folder's file events in one `poll(2)` on its own thread, so a commit by
//! another process wakes it directly, with no thread in between (each
//! thread woken costs a follower more than reading the commit does).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};

use rustix::event::{EventfdFlags, PollFd, PollFlags, Timespec};

/// Where messages are sent from any thread.
pub struct Mailbox<T> {
    messages: Sender<T>,
    doorbell: Arc<OwnedFd>,
}

impl<T> Clone for Mailbox<T> {
    fn clone(&self) -> Self {
        Mailbox {
            messages: self.messages.clone(),
            doorbell: Arc::clone(&self.doorbell),
        }
    }
}

/// The receiving end, owned by the one thread that waits on it.
pub struct Inbox<T> {
    messages: Receiver<T>,
    doorbell: Arc<OwnedFd>,
}

/// The inbox is gone: the worker stopped.
#[derive(Debug)]
pub struct Closed;

/// What a wait ended with.
pub enum Waited<T> {
    Message(T),
    /// The other file descriptor waited on is readable.
    Readable,
    TimedOut,
    /// Every mailbox is gone.
    Closed,
}

/// A new mailbox and its inbox.
pub fn mailbox<T>() -> std::io::Result<(Mailbox<T>, Inbox<T>)> {
    let doorbell = Arc::new(rustix::event::eventfd(
        0,
        EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK,
    )?);
    let (sender, receiver) = mpsc::channel();
    Ok((
        Mailbox {
            messages: sender,
            doorbell: Arc::clone(&doorbell),
        },
        Inbox {
            messages: receiver,
            doorbell,
        },
    ))
}

impl<T> Mailbox<T> {
    pub fn send(&self, message: T) -> Result<(), Closed> {
        self.messages.send(message).map_err(|_| Closed)?;
        // After the message: a wait that saw no message sees the ring.
        // The count cannot overflow in practice; a full one is rung anyway.
        let _ = rustix::io::write(&self.doorbell, &1u64.to_ne_bytes());
        Ok(())
    }
}

impl<T> Inbox<T> {
    /// The next message, or `also` readable, waiting at most `wait`.
    pub fn wait(&self, wait: Duration, also: Option<BorrowedFd<'_>>) -> Waited<T> {
        let deadline = Instant::now() + wait;
        loop {
            match self.messages.try_recv() {
                Ok(message) => return Waited::Message(message),
                Err(TryRecvError::Disconnected) => return Waited::Closed,
                Err(TryRecvError::Empty) => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Waited::TimedOut;
            }
            let timeout = Timespec::try_from(left).ok();
            let doorbell = self.doorbell.as_fd();
            let mut fds = [
                PollFd::from_borrowed_fd(doorbell, PollFlags::IN),
                PollFd::from_borrowed_fd(also.unwrap_or(doorbell), PollFlags::IN),
            ];
            let watched = if also.is_some() { 2 } else { 1 };
            // An interrupted or failed poll only means looking again.
            let _ = rustix::event::poll(&mut fds[..watched], timeout.as_ref());
            if also.is_some() && !fds[1].revents().is_empty() {
                return Waited::Readable;
            }
            if !fds[0].revents().is_empty() {
                // Reset before the next look for messages: a message sent
                // after the look rings again.
                let mut count = [0u8; 8];
                let _ = rustix::io::read(doorbell, &mut count);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_from_another_thread_ends_the_wait() {
        let (mailbox, inbox) = mailbox::<u32>().unwrap();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            mailbox.send(7).unwrap();
        });
        match inbox.wait(Duration::from_secs(10), None) {
            Waited::Message(7) => {}
            _ => panic!("the message ends the wait"),
        }
        sender.join().unwrap();
        assert!(matches!(
            inbox.wait(Duration::from_secs(10), None),
            Waited::Closed
        ));
    }

    #[test]
    fn a_readable_descriptor_ends_the_wait_and_nothing_times_out() {
        let (_mailbox, inbox) = mailbox::<u32>().unwrap();
        assert!(matches!(
            inbox.wait(Duration::from_millis(5), None),
            Waited::TimedOut
        ));
        let (reader, mut writer) = std::io::pipe().unwrap();
        std::io::Write::write_all(&mut writer, b"x").unwrap();
        assert!(matches!(
            inbox.wait(Duration::from_secs(10), Some(reader.as_fd())),
            Waited::Readable
        ));
    }
}
