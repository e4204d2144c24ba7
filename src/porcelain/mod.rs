//! The porcelain: `git postman` commands.
